package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * A host device a plugin asks for; the same shape is used in its settings.
 *
 * @param description free text
 * @param name        the name {@code set} addresses this device by
 * @param path        the host device path; nullable: a non-null path is a privilege
 * @param settable    the settable fields ({@code path}); nullable
 */
public record PluginDevice(String description, String name, String path, List<String> settable) {
    /** Checks and copies. */
    public PluginDevice {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(name, "name");
        settable = Nulls.copy(settable);
    }

    /** A copy with another host path. */
    public PluginDevice withPath(String value) {
        return new PluginDevice(description, name, value, settable);
    }
}
