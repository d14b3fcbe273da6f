package dev.berth.event;

/**
 * A live subscription to a plugin manager's events. Closing it unsubscribes: events not yet delivered
 * are dropped and the listener is not called again once {@link #close()} has returned (except for a call
 * already in progress on the delivery thread). Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /** Unsubscribes. Idempotent; never throws. */
    @Override
    void close();

    /** Whether events are still delivered: false after {@link #close()}, after the manager closed, or after the filter's {@code until}. */
    boolean active();

    /**
     * How many events matched but were dropped because this subscriber's queue was full (it was slower
     * than the events came). A dropped event is still in the manager's journal.
     */
    long dropped();
}
