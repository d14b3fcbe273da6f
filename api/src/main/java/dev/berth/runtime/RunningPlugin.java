package dev.berth.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A plugin the supervisor has brought up.
 *
 * @param id          the plugin ID
 * @param socket      the host path of its socket, {@code <exec-root>/<id>/<Interface.Socket>}
 * @param implemented what its {@code /Plugin.Activate} answered ({@code Implements}); empty when the
 *                    supervisor does not activate plugins
 */
public record RunningPlugin(String id, Path socket, List<String> implemented) {
    /** Checks and copies. */
    public RunningPlugin {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(socket, "socket");
        implemented = List.copyOf(implemented);
    }
}
