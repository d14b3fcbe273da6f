package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * A declared environment variable of a plugin.
 *
 * @param description free text
 * @param name        the variable's name
 * @param settable    the settable fields ({@code value}); nullable
 * @param value       the default value; nullable: null means no default, and the variable is not
 *                    put into the settings until {@code set} gives it one
 */
public record PluginEnv(String description, String name, List<String> settable, String value) {
    /** Checks and copies. */
    public PluginEnv {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(name, "name");
        settable = Nulls.copy(settable);
    }
}
