package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * The {@code Args} block of a plugin config: default arguments appended to the entrypoint, settable
 * through {@code set <Name>=...}.
 *
 * @param description free text
 * @param name        the name {@code set} addresses this block by
 * @param settable    the settable fields (only {@code value} is meaningful); nullable
 * @param value       the default arguments; nullable
 */
public record PluginArgs(String description, String name, List<String> settable, List<String> value) {
    /** An empty block, as Docker decodes a config without {@code Args}. */
    public static final PluginArgs EMPTY = new PluginArgs("", "", null, null);

    /** Checks and copies. */
    public PluginArgs {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(name, "name");
        settable = Nulls.copy(settable);
        value = Nulls.copy(value);
    }
}
