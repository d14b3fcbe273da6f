package dev.berth.core.internal.runtime;

import java.time.Duration;

/**
 * What the supervisor tells its owner (the plugin manager) about plugins that change state on their
 * own. Called on the supervisor's scheduler thread, never under a lock; an exception thrown here is
 * logged and ignored.
 */
public interface SupervisorListener {
    /** A listener that ignores everything. */
    SupervisorListener NONE = new SupervisorListener() {
    };

    /** An enabled plugin exited unexpectedly; a restart follows after {@code delay}. */
    default void restarting(String id, int attempt, Duration delay) {
    }

    /** A restart brought the plugin up again. */
    default void restarted(String id, int attempt) {
    }

    /**
     * The plugin kept exiting and the supervisor gave up after {@code attempts} restarts: it no longer
     * runs and has been cleaned up. The owner should mark it disabled.
     *
     * @param cause the last start failure, or {@code null} when the plugin started and then exited
     */
    default void gaveUp(String id, int attempts, Throwable cause) {
    }
}
