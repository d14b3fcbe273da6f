package dev.berth.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A plugin the supervisor has brought up, and how to reach it.
 *
 * @param id          the plugin ID
 * @param socket      the host path of its socket, {@code <exec-root>/<id>/<Interface.Socket>} (for a plugin
 *                    behind an in-process transport, where that socket would be; nothing serves it)
 * @param implemented what its {@code /Plugin.Activate} answered ({@code Implements}); empty when the
 *                    plugin was not activated
 * @param transport   how requests reach the plugin: HTTP over {@code socket} for a real plugin, in
 *                    process for the testkit's fake; clients call through it
 */
public record RunningPlugin(String id, Path socket, List<String> implemented, PluginTransport transport) {
    /** Checks and copies. */
    public RunningPlugin {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(socket, "socket");
        implemented = List.copyOf(implemented);
        Objects.requireNonNull(transport, "transport");
    }

    /**
     * A running plugin without a transport of its own, as before transports existed: {@link #transport()}
     * then refuses every call, and callers dial {@code socket} with a socket client.
     *
     * @deprecated give the transport: {@link #RunningPlugin(String, Path, List, PluginTransport)}
     */
    @Deprecated
    public RunningPlugin(String id, Path socket, List<String> implemented) {
        this(id, socket, implemented, new SocketOnly(Objects.requireNonNull(socket, "socket")));
    }

    /** Whether the plugin's activation reported this interface ({@code VolumeDriver}, ...), ignoring case. */
    public boolean implementsInterface(String name) {
        Objects.requireNonNull(name, "name");
        return implemented.stream().anyMatch(name::equalsIgnoreCase);
    }

    /** The transport of the deprecated constructor: it knows the socket but speaks no HTTP itself. */
    private record SocketOnly(Path socket) implements PluginTransport {
        @Override
        public boolean ready() {
            return false;
        }

        @Override
        public Response post(String path, byte[] body, Duration timeout, int maxResponseBytes) throws IOException {
            throw new IOException("this RunningPlugin carries no transport; dial its socket " + socket
                    + " with a socket client (PluginClient.of(socket))");
        }

        @Override
        public String address() {
            return socket.toString();
        }
    }
}
