package dev.berth.event;

/**
 * Receives plugin events. As a subscriber ({@code PluginManager.events().subscribe(filter, listener)}) it
 * is called on the subscription's own delivery thread, one event at a time, in order; it may be slow
 * without delaying anything but its own later events. Added with the deprecated
 * {@code PluginManager.Builder.addEventPublisher} it is called synchronously on the thread of the
 * operation that succeeded, after the change is on disk, and should return quickly. Either way an
 * exception thrown here is logged and ignored: a listener never breaks an operation.
 */
@FunctionalInterface
public interface EventPublisher {
    /** Handles one event. */
    void publish(PluginEvent event);
}
