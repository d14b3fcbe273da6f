package dev.berth.event;

/**
 * Receives plugin events. Called synchronously on the thread of the operation that succeeded, after
 * the change is on disk; implementations should return quickly. An exception thrown here is logged
 * and ignored: a listener never breaks an operation.
 */
@FunctionalInterface
public interface EventPublisher {
    /** Handles one event. */
    void publish(PluginEvent event);
}
