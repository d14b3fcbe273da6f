package dev.berth.testkit.registry;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request a test server received.
 *
 * @param method  HTTP method
 * @param uri     path and query as sent
 * @param headers headers, names lower case
 * @param body    the request body (uploads), possibly empty
 */
public record RecordedRequest(String method, String uri, Map<String, List<String>> headers, byte[] body) {
    /** Copies. */
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    /** The first value of a header, by name in any case. */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The body; a copy. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Method, URI and headers, for assertion messages. */
    @Override
    public String toString() {
        return method + " " + uri + " " + headers;
    }
}
