package dev.berth.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A response of {@link Http1Client}: its status and head are in, its body streams. The caller closes it
 * (or reads the body to its end); closing frees the connection, or hands it back for reuse.
 *
 * @param status  the status code (200 to 599)
 * @param headers the header fields, names case-insensitive
 * @param uri     the URI the request went to
 * @param body    the body, decoded from its framing; closing it never throws
 */
public record Http1Response(int status, HttpHeaders headers, URI uri, InputStream body) implements AutoCloseable {
    /** Checks. */
    public Http1Response {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(body, "body");
    }

    /** The first value of a header. */
    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** {@code Content-Length} of {@code headers}, if present and a valid non-negative number. */
    public static OptionalLong contentLength(HttpHeaders headers) {
        Optional<String> v = headers.firstValue("Content-Length");
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long l = Long.parseLong(v.get().trim());
            return l >= 0 ? OptionalLong.of(l) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Closes the body. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // the client's bodies close quietly
        }
    }
}
