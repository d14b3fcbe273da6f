package dev.berth.core.internal.event;

import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.event.EventPublisher;
import dev.berth.event.PluginEvent;
import dev.berth.event.Subscription;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a manager's events go after an operation succeeded: the journal in the root (appended on the
 * operation's thread: one small write and a force, failures logged), the publishers added at build time
 * (called on the operation's thread, as they always were), and every subscriber.
 *
 * <p><b>Delivery to subscribers.</b> Each subscription has its own bounded queue and its own daemon
 * thread, so a slow or throwing subscriber delays nobody: publishing only offers the event to each
 * queue; a full queue drops the event for that subscriber and counts it ({@link Subscription#dropped()}).
 * The threads are daemons and never delay JVM exit. Closing a subscription drops what it has not
 * delivered; closing the hub (the manager) lets each subscriber's thread deliver what is queued and end,
 * without waiting for it.
 *
 * <p>Thread-safe.
 */
public final class EventHub implements AutoCloseable {
    /** The default per-subscriber queue capacity. */
    public static final int DEFAULT_QUEUE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final List<EventPublisher> publishers;
    private final EventJournal journal;
    private final Clock clock;
    private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** A hub writing to {@code journal} and calling {@code publishers} synchronously. */
    public EventHub(List<EventPublisher> publishers, EventJournal journal, Clock clock) {
        this.publishers = List.copyOf(publishers);
        this.journal = Objects.requireNonNull(journal, "journal");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The journal. */
    public EventJournal journal() {
        return journal;
    }

    /**
     * Records and delivers one event. Never throws: every failure is logged. After {@link #close()} it
     * does nothing: the root's lock is released then, and another manager may own the journal.
     */
    public void publish(PluginEvent event) {
        if (closed) {
            LOG.debug("event {} of {} after close: not recorded", event.action(), event.plugin().name());
            return;
        }
        try {
            journal.append(EventMessage.of(event));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot append {} of {} to the event journal {}: {}", event.action(), event.plugin().name(),
                    journal.file(), e.toString());
        }
        for (EventPublisher p : publishers) {
            try {
                p.publish(event);
            } catch (RuntimeException e) {
                LOG.warn("event publisher {} failed on {}: {}", p, event.action(), e.toString(), e);
            }
        }
        for (Sub s : subs) {
            s.offer(event);
        }
    }

    /**
     * Subscribes {@code listener} to the events that pass {@code filter}, delivered in order on a thread
     * of its own through a queue of {@code capacity} events.
     *
     * @throws IllegalStateException when the hub is closed
     */
    public Subscription subscribe(EventFilter filter, EventPublisher listener, int capacity) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        if (capacity < 1) {
            throw new IllegalArgumentException("the queue capacity must be positive: " + capacity);
        }
        Sub s = new Sub(filter, listener, capacity);
        subs.add(s);
        if (closed) {
            subs.remove(s);
            throw new IllegalStateException("the plugin manager is closed");
        }
        s.thread.start();
        return s;
    }

    /** The number of active subscriptions (for tests and diagnostics). */
    public int subscriptions() {
        return (int) subs.stream().filter(Sub::active).count();
    }

    /** Ends every subscription once its queue is delivered; does not wait. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Sub s : subs) {
            s.finish();
        }
        subs.clear();
    }

    private final class Sub implements Subscription {
        private final EventFilter filter;
        private final EventPublisher listener;
        private final BlockingQueue<PluginEvent> queue;
        private final Thread thread;
        private final AtomicLong dropped = new AtomicLong();
        private volatile boolean cancelled;
        private volatile boolean finishing;
        private volatile boolean ended;

        Sub(EventFilter filter, EventPublisher listener, int capacity) {
            this.filter = filter;
            this.listener = listener;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = new Thread(this::run, "berth-events-" + THREADS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        void offer(PluginEvent event) {
            if (cancelled || finishing) {
                return;
            }
            if (filter.until().isPresent() && event.time().isAfter(filter.until().get())) {
                finish(); // past its end: nothing later can pass
                return;
            }
            if (!filter.test(event)) {
                return;
            }
            if (!queue.offer(event)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || Long.bitCount(n) == 1) {
                    LOG.warn("event subscriber {} is too slow: {} events dropped so far", listener, n);
                }
            }
        }

        void finish() {
            finishing = true;
        }

        private void run() {
            try {
                while (!cancelled) {
                    PluginEvent e;
                    try {
                        e = queue.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (e == null) {
                        if (finishing) {
                            return;
                        }
                        continue;
                    }
                    if (cancelled) {
                        return;
                    }
                    try {
                        listener.publish(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("event subscriber {} failed on {}: {}", listener, e.action(), ex.toString(), ex);
                    }
                }
            } finally {
                ended = true;
                subs.remove(this);
            }
        }

        @Override
        public void close() {
            cancelled = true;
            queue.clear();
            subs.remove(this);
        }

        @Override
        public boolean active() {
            if (cancelled || ended || finishing && queue.isEmpty()) {
                return false;
            }
            return filter.until().map(u -> !clock.instant().isAfter(u)).orElse(true);
        }

        @Override
        public long dropped() {
            return dropped.get();
        }

        @Override
        public String toString() {
            return "subscription of " + listener + " (" + filter + ")";
        }
    }
}
