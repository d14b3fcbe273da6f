package dev.berth.runtime;

import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the supervisor needs to run one plugin.
 *
 * @param id       the plugin ID, 64 lower-case hex characters (also the container ID)
 * @param name     the plugin's name, for messages and logs
 * @param config   its config
 * @param settings its settings
 * @param rootfs   its root file system, {@code <root>/<id>/rootfs}; the propagated mount lives next
 *                 to it in {@code <root>/<id>/propagated-mount}, as in Docker
 */
public record PluginLaunch(String id, String name, PluginConfig config, PluginSettings settings, Path rootfs) {
    /** Checks. */
    public PluginLaunch {
        Objects.requireNonNull(id, "id");
        if (!Plugin.isId(id)) {
            // the ID becomes a directory name and a runtime argument: never let anything else through
            throw new IllegalArgumentException("a plugin ID is 64 lower-case hex characters: \"" + id + "\"");
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(rootfs, "rootfs");
    }

    /** A launch of an installed plugin with its current config and settings. */
    public static PluginLaunch of(Plugin plugin, Path rootfs) {
        return new PluginLaunch(plugin.id(), plugin.name(), plugin.config(), plugin.settings(), rootfs);
    }
}
