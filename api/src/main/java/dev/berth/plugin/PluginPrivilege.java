package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * One privilege a plugin asks for, as {@code docker plugin install} shows it and the Engine API's
 * {@code /plugins/privileges} returns it.
 *
 * @param name        e.g. {@code network}, {@code mount}, {@code capabilities}
 * @param description Docker's fixed description for the name
 * @param value       the values, e.g. {@code [host]}
 */
public record PluginPrivilege(String name, String description, List<String> value) {
    /** Checks and copies. */
    public PluginPrivilege {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        value = List.copyOf(value);
    }

    /** {@code name: [v1 v2]}, the way Docker's prompt lists a privilege. */
    @Override
    public String toString() {
        return name + ": [" + String.join(" ", value) + "]";
    }
}
