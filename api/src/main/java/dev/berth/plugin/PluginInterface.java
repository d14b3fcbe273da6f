package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * How the host talks to a plugin: the socket it opens and the capability types it implements.
 *
 * @param protocolScheme {@code ""} or {@code moby.plugins.http/v1} (the default when empty)
 * @param socket         the socket's file name inside {@code /run/docker/plugins}
 * @param types          the implemented capability types; nullable
 */
public record PluginInterface(String protocolScheme, String socket, List<Capability> types) {
    /** The one protocol Docker speaks to plugins: HTTP/1.1 with JSON over the unix socket. */
    public static final String HTTP_V1 = "moby.plugins.http/v1";
    /** An interface with no socket and no types. */
    public static final PluginInterface EMPTY = new PluginInterface("", "", null);

    /** Checks and copies. */
    public PluginInterface {
        Objects.requireNonNull(protocolScheme, "protocolScheme");
        Objects.requireNonNull(socket, "socket");
        types = Nulls.copy(types);
    }

    /** The types, empty when the config had none. */
    public List<Capability> typesOrEmpty() {
        return Nulls.orEmpty(types);
    }
}
