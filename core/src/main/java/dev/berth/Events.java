package dev.berth;

import dev.berth.core.internal.event.EventHub;
import dev.berth.core.internal.event.EventJournal;
import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Engine;
import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.event.EventPublisher;
import dev.berth.event.Subscription;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * A plugin manager's events ({@link PluginManager#events()}): live subscriptions with filters, and the
 * journal of recent events kept in the plugin root.
 *
 * <p><b>Subscriptions</b> can be added and closed at any time. Each has its own bounded queue and its own
 * daemon delivery thread: publishing an event only offers it to the queues, so a slow, blocking or
 * throwing subscriber never delays an operation or another subscriber, and never delays JVM exit. When a
 * subscriber's queue is full, further events are dropped for it and counted
 * ({@link Subscription#dropped()}); they stay in the journal. A subscription delivers events published
 * after it was made, in order; its filter's {@code until} ends it. To read history and then follow,
 * subscribe first and then read the {@link #journal(EventFilter)}, ignoring journal entries the
 * subscription also delivers (same time, action and ID).
 *
 * <p><b>The journal</b> is {@code <root>/berth-events.jsonl}: one line per event, in the shape of
 * Docker's event message, appended and forced to disk on the operation's thread before the operation
 * returns, bounded by {@link PluginManager.Builder#eventJournal(int, java.time.Duration)}. Any manager
 * opened on the root, in this or another process and read-only ones included, reads it.
 *
 * <p>Thread-safe.
 */
public final class Events {
    private final Engine engine;
    private final EventHub hub;

    Events(Engine engine) {
        this.engine = engine;
        this.hub = engine.events();
    }

    /**
     * Delivers the events that pass {@code filter} to {@code listener}, on a thread of the
     * subscription's own, through a queue of 256 events.
     *
     * @return the subscription; closing it unsubscribes
     * @throws IllegalStateException when the manager is closed
     */
    public Subscription subscribe(EventFilter filter, EventPublisher listener) {
        return subscribe(filter, listener, EventHub.DEFAULT_QUEUE);
    }

    /**
     * {@link #subscribe(EventFilter, EventPublisher)} with a queue of {@code queueCapacity} events.
     *
     * @throws IllegalArgumentException when {@code queueCapacity} is not positive
     */
    public Subscription subscribe(EventFilter filter, EventPublisher listener, int queueCapacity) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        engine.checkOpen();
        return hub.subscribe(filter, listener, queueCapacity);
    }

    /** Every journal entry not older than the journal's age bound, oldest first. */
    public List<EventMessage> journal() {
        return journal(EventFilter.ALL);
    }

    /**
     * The journal entries that pass {@code filter}, oldest first.
     *
     * @throws dev.berth.exception.SystemException when the journal cannot be read
     */
    public List<EventMessage> journal(EventFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return Boundary.call(() -> hub.journal().read(filter));
    }

    /**
     * Reads the journal of the plugin root at {@code root} without opening a manager: no lock, no
     * content store, nothing written. Returns every entry the file holds (the manager that writes it
     * keeps it within its bounds). For tools that look at a root another process manages
     * ({@code berth events}).
     *
     * @return the entries that pass {@code filter}, oldest first; empty when the root has no journal
     * @throws dev.berth.exception.SystemException when the journal cannot be read
     */
    public static List<EventMessage> read(Path root, EventFilter filter) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(filter, "filter");
        return Boundary.call(() -> EventJournal.open(root, false, 1, ChronoUnit.FOREVER.getDuration(),
                Clock.systemUTC()).read(filter));
    }

    /** The journal file, {@code <root>/berth-events.jsonl}. */
    public Path journalFile() {
        return hub.journal().file();
    }
}
