package dev.berth.plugin;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An installed plugin as {@code docker plugin inspect} shows it.
 *
 * @param id              64 lower-case hex characters, random at creation, stable across upgrades
 * @param name            the local name, familiar form with tag, e.g. {@code vieux/sshfs:latest}
 * @param enabled         whether it is running
 * @param pluginReference the remote reference it was pulled from (fully qualified), or for a created
 *                        plugin its local name; empty when unknown
 * @param config          its config
 * @param settings        its settings
 */
public record Plugin(String id, String name, boolean enabled, String pluginReference, PluginConfig config,
                     PluginSettings settings) {
    private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");

    /** Checks. */
    public Plugin {
        Objects.requireNonNull(id, "id");
        if (!id.isEmpty() && !isId(id)) {
            throw new IllegalArgumentException("a plugin ID is 64 lower-case hex characters: \"" + id + "\"");
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pluginReference, "pluginReference");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(settings, "settings");
    }

    /** Whether the string has the form of a full plugin ID. */
    public static boolean isId(String text) {
        return ID.matcher(text).matches();
    }

    /** A copy with another enabled state. */
    public Plugin withEnabled(boolean value) {
        return new Plugin(id, name, value, pluginReference, config, settings);
    }

    /** A copy with other settings. */
    public Plugin withSettings(PluginSettings value) {
        return new Plugin(id, name, enabled, pluginReference, config, value);
    }

    /** A copy with another config. */
    public Plugin withConfig(PluginConfig value) {
        return new Plugin(id, name, enabled, pluginReference, value, settings);
    }

    /** A copy with another plugin reference. */
    public Plugin withPluginReference(String value) {
        return new Plugin(id, name, enabled, value, config, settings);
    }
}
