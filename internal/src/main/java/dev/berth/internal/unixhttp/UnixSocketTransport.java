package dev.berth.internal.unixhttp;

import dev.berth.runtime.PluginTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** The default {@link PluginTransport}: {@link UnixHttpClient} on the plugin's socket. */
public record UnixSocketTransport(Path socket) implements PluginTransport {
    /** Checks. */
    public UnixSocketTransport {
        Objects.requireNonNull(socket, "socket");
    }

    @Override
    public boolean ready() {
        return UnixHttpClient.accepts(socket);
    }

    @Override
    public Response post(String path, byte[] body, Duration timeout, int maxResponseBytes) throws IOException {
        UnixHttpClient.Response r = UnixHttpClient.post(socket, path, body, timeout, maxResponseBytes);
        return new Response(r.status(), r.body());
    }

    @Override
    public String address() {
        return socket.toString();
    }
}
