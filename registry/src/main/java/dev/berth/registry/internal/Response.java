package dev.berth.registry.internal;

import dev.berth.internal.http.Http1Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A response whose status and headers are in and whose body streams. The caller closes it (closing
 * frees the connection and the host's concurrency permit).
 */
public final class Response implements AutoCloseable {
    /** The most of an error body Berth reads, as containerd. */
    public static final int MAX_ERROR_BODY = 64 * 1024;

    private final int status;
    private final HttpHeaders headers;
    private final URI uri;
    private final InputStream body;

    /** @param body closing it must not throw, and frees the connection and the permit */
    Response(int status, HttpHeaders headers, URI uri, InputStream body) {
        this.status = status;
        this.headers = headers;
        this.uri = uri;
        this.body = body;
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The headers. */
    public HttpHeaders headers() {
        return headers;
    }

    /** The first value of a header. */
    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** {@code Content-Length}, if present and valid. */
    public OptionalLong contentLength() {
        return Http1Response.contentLength(headers);
    }

    /** The URI that answered (after redirects). */
    public URI uri() {
        return uri;
    }

    /** The body stream. */
    public InputStream body() {
        return body;
    }

    /**
     * Reads the whole body, refusing more than {@code max} bytes (after reading at most {@code max + 1}).
     *
     * @return the bytes, or null when the body is longer than {@code max}
     */
    public byte[] readBounded(int max) throws IOException {
        byte[] bytes = body.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    /** The first 64 KiB of the body as text, for error messages; never fails. */
    public String errorText() {
        try {
            byte[] b = body.readNBytes(MAX_ERROR_BODY);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // the bodies Transport makes close quietly; nothing to do for one that did not
        }
    }
}
