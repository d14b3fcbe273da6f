package dev.berth.plugin;

import java.util.Objects;

/**
 * The network mode a plugin asks for.
 *
 * @param type {@code ""} (default, Docker's bridge-less default), {@code host}, {@code none}, ...
 */
public record PluginNetwork(String type) {
    /** {@code {"Type":""}}. */
    public static final PluginNetwork DEFAULT = new PluginNetwork("");

    /** Checks for null. */
    public PluginNetwork {
        Objects.requireNonNull(type, "type");
    }
}
