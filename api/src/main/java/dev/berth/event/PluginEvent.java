package dev.berth.event;

import dev.berth.plugin.Plugin;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a plugin, published after the operation succeeded. Each event carries a
 * snapshot of the plugin taken at publish time, and Docker's event-log action ({@code docker events},
 * type {@code plugin}) where Docker logs one.
 */
public sealed interface PluginEvent {
    /** The plugin as it was when the event was published. */
    Plugin plugin();

    /** Docker's event-log action for this event: {@code pull}, {@code create}, ... */
    String action();

    /** When the event happened, by the manager's clock. */
    Instant time();

    /** Checks for null. */
    private static Plugin check(Plugin p) {
        return Objects.requireNonNull(p, "plugin");
    }

    /**
     * A plugin was installed from a registry ({@code pull}) or created from a context ({@code create}).
     *
     * @param time      when it happened
     * @param plugin    the new plugin
     * @param remote    the familiar remote reference it was pulled from; empty for created plugins
     * @param pulled    true for an install, false for a create
     */
    record Created(Plugin plugin, String remote, boolean pulled, Instant time) implements PluginEvent {
        /** Checks. */
        public Created {
            Objects.requireNonNull(time, "time");
            check(plugin);
            Objects.requireNonNull(remote, "remote");
        }

        @Override
        public String action() {
            return pulled ? "pull" : "create";
        }
    }

    /** A plugin was enabled. @param plugin the plugin @param time when */
    record Enabled(Plugin plugin, Instant time) implements PluginEvent {
        /** Checks. */
        public Enabled {
            Objects.requireNonNull(time, "time");
            check(plugin);
        }

        @Override
        public String action() {
            return "enable";
        }
    }

    /** A plugin was disabled. @param plugin the plugin @param time when */
    record Disabled(Plugin plugin, Instant time) implements PluginEvent {
        /** Checks. */
        public Disabled {
            Objects.requireNonNull(time, "time");
            check(plugin);
        }

        @Override
        public String action() {
            return "disable";
        }
    }

    /** A plugin was removed. @param plugin the plugin as it was before removal @param time when */
    record Removed(Plugin plugin, Instant time) implements PluginEvent {
        /** Checks. */
        public Removed {
            Objects.requireNonNull(time, "time");
            check(plugin);
        }

        @Override
        public String action() {
            return "remove";
        }
    }

    /**
     * A plugin was upgraded in place. Docker logs {@code pull} for it.
     *
     * @param plugin the upgraded plugin
     * @param remote the familiar remote reference it was upgraded from
     * @param time   when it happened
     */
    record Upgraded(Plugin plugin, String remote, Instant time) implements PluginEvent {
        /** Checks. */
        public Upgraded {
            Objects.requireNonNull(time, "time");
            check(plugin);
            Objects.requireNonNull(remote, "remote");
        }

        @Override
        public String action() {
            return "pull";
        }
    }

    /**
     * A plugin was pushed. Docker logs nothing for a push; the action is {@code push}.
     *
     * @param plugin the plugin
     * @param tag    the tag pushed
     * @param digest the manifest digest
     * @param size   the manifest size
     * @param time   when it happened
     */
    record Pushed(Plugin plugin, String tag, String digest, long size, Instant time) implements PluginEvent {
        /** Checks. */
        public Pushed {
            Objects.requireNonNull(time, "time");
            check(plugin);
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public String action() {
            return "push";
        }
    }

    /**
     * The runtime gave up restarting a crashing plugin; it is now disabled.
     *
     * @param plugin the plugin
     * @param reason why it stopped
     * @param time   when it happened
     */
    record GaveUp(Plugin plugin, String reason, Instant time) implements PluginEvent {
        /** Checks. */
        public GaveUp {
            Objects.requireNonNull(time, "time");
            check(plugin);
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String action() {
            return "die";
        }
    }
}
