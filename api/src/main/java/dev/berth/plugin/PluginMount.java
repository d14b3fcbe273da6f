package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * A mount a plugin asks for; the same shape is used in its settings.
 *
 * @param description free text
 * @param destination the path inside the plugin
 * @param name        the name {@code set} addresses this mount by
 * @param options     mount options, e.g. {@code rbind}; nullable
 * @param settable    the settable fields ({@code source}); nullable
 * @param source      the host path; nullable: a non-null source (even empty) is a privilege
 * @param type        the mount type, e.g. {@code bind}
 */
public record PluginMount(String description, String destination, String name, List<String> options,
                          List<String> settable, String source, String type) {
    /** Checks and copies. */
    public PluginMount {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(name, "name");
        options = Nulls.copy(options);
        settable = Nulls.copy(settable);
        Objects.requireNonNull(type, "type");
    }

    /** A copy with another host source. */
    public PluginMount withSource(String value) {
        return new PluginMount(description, destination, name, options, settable, value, type);
    }
}
