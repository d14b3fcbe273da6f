package dev.berth.testkit.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A host that serves fixed bytes for every GET and records every request: the other end of a redirect,
 * a foreign-layer URL or an impostor realm. Tests assert that no credential ever reached it.
 */
public final class RecordingServer implements AutoCloseable {
    private final TestHttpServer server;

    private RecordingServer(byte[] content) {
        byte[] copy = content.clone();
        server = new TestHttpServer(ex -> ex.respond(200, Map.of("Content-Type", "application/octet-stream"), copy));
    }

    /** Starts a server answering every request with {@code content}. */
    public static RecordingServer serving(byte[] content) {
        return new RecordingServer(Objects.requireNonNull(content, "content"));
    }

    /** {@code http://127.0.0.1:port}. */
    public URI uri() {
        return server.uri();
    }

    /** The port. */
    public int port() {
        return server.port();
    }

    /** What arrived. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** Whether {@code secret} appears anywhere in what arrived (request line, headers, bodies). */
    public boolean received(String secret) {
        return server.requests().stream().anyMatch(r -> r.toString().contains(secret)
                || new String(r.body(), StandardCharsets.UTF_8).contains(secret));
    }

    @Override
    public void close() {
        server.close();
    }
}
