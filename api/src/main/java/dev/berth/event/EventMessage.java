package dev.berth.event;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of the event journal, shaped as Docker's event message ({@code docker events}, Engine API
 * {@code events.Message}) for plugin events: the type ({@code plugin}), the action ({@code pull},
 * {@code create}, {@code enable}, {@code disable}, {@code remove}, and Berth's {@code push} and
 * {@code die}), the actor ID (the plugin's full ID) and the actor's attributes ({@code name}: the plugin's
 * name), stamped by the manager's clock. Unlike a {@link PluginEvent} it carries no plugin snapshot, so it
 * can be stored and read back by another process.
 *
 * @param type       the event type; always {@value #PLUGIN} for events Berth writes
 * @param action     the action
 * @param id         the actor ID: the plugin's full ID
 * @param attributes the actor's attributes, sorted by key ({@code name} for plugin events)
 * @param time       when it happened
 */
public record EventMessage(String type, String action, String id, Map<String, String> attributes, Instant time) {
    /** The type of plugin events. */
    public static final String PLUGIN = "plugin";

    /** Checks, and keeps the attributes sorted and unmodifiable. */
    public EventMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        attributes = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(attributes, "attributes")));
    }

    /** The message Docker would log for a plugin event: type {@code plugin}, the action, the ID and {@code name}. */
    public static EventMessage of(PluginEvent event) {
        Objects.requireNonNull(event, "event");
        return new EventMessage(PLUGIN, event.action(), event.plugin().id(), Map.of("name", event.plugin().name()),
                event.time());
    }

    /** The {@code name} attribute, or empty. */
    public String name() {
        return attributes.getOrDefault("name", "");
    }
}
