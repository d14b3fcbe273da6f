package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.berth.Events;
import dev.berth.PluginManager;
import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.event.PluginEvent;
import dev.berth.event.Subscription;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import dev.berth.plugin.Plugin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Subscriptions that never delay an operation, and the journal of recent events in the root. */
class EventsTest {
    @TempDir
    Path temp;
    Harness h;
    PluginManager m;
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-04T05:06:07.123456789Z"));

    @BeforeEach
    void setUp() throws IOException {
        h = new Harness(temp.resolve("plugins"), Files.createTempDirectory(temp, "x"));
    }

    @AfterEach
    void tearDown() {
        if (m != null) {
            m.close();
        }
    }

    private PluginManager manager() {
        if (m == null) {
            m = h.openWith(b -> b.clock(clock));
        }
        return m;
    }

    private Plugin create(String name) {
        return manager().create(name, new ByteArrayInputStream(Contexts.simple()));
    }

    private static PluginEvent next(BlockingQueue<PluginEvent> q) throws InterruptedException {
        PluginEvent e = q.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    @Nested
    class Subscribe {
        @Test
        void subscribe_blockedSubscriber_neverDelaysAnOperationOrAnotherSubscriber() throws InterruptedException {
            CountDownLatch release = new CountDownLatch(1);
            BlockingQueue<PluginEvent> fast = new LinkedBlockingQueue<>();
            Subscription slow = manager().events().subscribe(EventFilter.ALL, e -> {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            manager().events().subscribe(EventFilter.ALL, fast::add);
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    Plugin p = create("a");
                    manager().remove(p.name(), false);
                });
                assertThat(next(fast).action()).isEqualTo("create");
                assertThat(next(fast).action()).isEqualTo("remove");
                assertThat(slow.active()).isTrue();
            } finally {
                release.countDown();
            }
        }

        @Test
        void subscribe_throwingSubscriber_isIsolatedAndKeepsReceiving() throws InterruptedException {
            AtomicInteger calls = new AtomicInteger();
            BlockingQueue<PluginEvent> seen = new LinkedBlockingQueue<>();
            Subscription s = manager().events().subscribe(EventFilter.ALL, e -> {
                calls.incrementAndGet();
                seen.add(e);
                throw new IllegalStateException("subscriber bug");
            });
            Plugin p = create("a");
            manager().remove(p.name(), false);
            assertThat(next(seen).action()).isEqualTo("create");
            assertThat(next(seen).action()).isEqualTo("remove");
            assertThat(calls.get()).isEqualTo(2);
            assertThat(s.active()).isTrue();
        }

        @Test
        void subscribe_fullQueue_dropsForThatSubscriberOnlyAndCounts() throws InterruptedException {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(1);
            Subscription slow = manager().events().subscribe(EventFilter.ALL, e -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }, 2);
            BlockingQueue<PluginEvent> fast = new LinkedBlockingQueue<>();
            manager().events().subscribe(EventFilter.ALL, fast::add);
            Plugin first = create("p0");
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue(); // the slow one holds the first event
            manager().remove(first.name(), false);
            for (int i = 1; i <= 3; i++) {
                manager().remove(create("p" + i).name(), false);
            }
            // 8 events: 1 in the listener, 2 queued, 5 dropped
            assertThat(slow.dropped()).isEqualTo(5);
            release.countDown();
            for (int i = 0; i < 8; i++) {
                next(fast);
            }
            assertThat(fast).isEmpty();
            assertThat(manager().events().journal()).hasSize(8);
        }

        @Test
        void subscribe_filter_deliversOnlyWhatPasses() throws InterruptedException {
            BlockingQueue<PluginEvent> removes = new LinkedBlockingQueue<>();
            BlockingQueue<PluginEvent> ofB = new LinkedBlockingQueue<>();
            BlockingQueue<PluginEvent> all = new LinkedBlockingQueue<>();
            manager().events().subscribe(EventFilter.parse(List.of("event=remove")), removes::add);
            manager().events().subscribe(EventFilter.parse(List.of("type=plugin", "plugin=web")), ofB::add);
            manager().events().subscribe(EventFilter.ALL, all::add);
            // names start with letters no ID has, so the prefix match can only hit the name
            Plugin a = create("vol-a");
            Plugin b = create("web-b");
            manager().remove(a.name(), false);
            manager().remove(b.id().substring(0, 12), false);
            for (int i = 0; i < 4; i++) {
                next(all); // everything was delivered to everyone by now, in order
            }
            Thread.sleep(200);
            assertThat(removes).extracting(e -> e.plugin().name()).containsExactly("vol-a:latest", "web-b:latest");
            assertThat(ofB).extracting(PluginEvent::action).containsExactly("create", "remove");
        }

        @Test
        void close_unsubscribes() throws InterruptedException {
            BlockingQueue<PluginEvent> seen = new LinkedBlockingQueue<>();
            BlockingQueue<PluginEvent> witness = new LinkedBlockingQueue<>();
            Subscription s = manager().events().subscribe(EventFilter.ALL, seen::add);
            manager().events().subscribe(EventFilter.ALL, witness::add);
            create("a");
            next(seen);
            s.close();
            s.close(); // idempotent
            assertThat(s.active()).isFalse();
            create("b");
            next(witness);
            next(witness);
            Thread.sleep(200);
            assertThat(seen).isEmpty();
        }

        @Test
        void until_endsTheSubscription() throws InterruptedException {
            BlockingQueue<PluginEvent> seen = new LinkedBlockingQueue<>();
            Subscription s = manager().events().subscribe(EventFilter.ALL.until(clock.instant().plusSeconds(10)), seen::add);
            create("a");
            assertThat(next(seen).action()).isEqualTo("create");
            clock.advance(Duration.ofSeconds(11));
            assertThat(s.active()).isFalse();
            create("b");
            Thread.sleep(200);
            assertThat(seen).isEmpty();
        }

        @Test
        void delivery_runsOnADaemonThreadOfItsOwn() throws InterruptedException {
            BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
            manager().events().subscribe(EventFilter.ALL, e -> threads.add(Thread.currentThread()));
            create("a");
            Thread t = threads.poll(10, TimeUnit.SECONDS);
            assertThat(t).isNotNull().isNotSameAs(Thread.currentThread());
            assertThat(t.isDaemon()).as("a delivery thread never delays JVM exit").isTrue();
        }

        @Test
        void closedManager_endsSubscriptionsAndRefusesNewOnes() throws InterruptedException {
            Subscription s = manager().events().subscribe(EventFilter.ALL, e -> { });
            m.close();
            for (int i = 0; i < 100 && s.active(); i++) {
                Thread.sleep(20);
            }
            assertThat(s.active()).isFalse();
            assertThatThrownBy(() -> m.events().subscribe(EventFilter.ALL, e -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessage("the plugin manager is closed");
        }

        @Test
        void addEventPublisher_stillCalledSynchronously() {
            create("a");
            assertThat(h.actions()).containsExactly("create"); // no waiting: called on the operation's thread
        }
    }

    @Nested
    class Journal {
        @Test
        void journal_recordsEveryEventInDockersMessageShape() throws IOException {
            Plugin p = create("a");
            manager().remove(p.name(), false);
            List<EventMessage> j = manager().events().journal();
            assertThat(j).extracting(EventMessage::action).containsExactly("create", "remove");
            assertThat(j.get(0).id()).isEqualTo(p.id());
            assertThat(j.get(0).name()).isEqualTo("a:latest");
            assertThat(j.get(0).time()).isEqualTo(clock.instant());
            Path file = h.root.resolve("berth-events.jsonl");
            assertThat(manager().events().journalFile()).isEqualTo(file);
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(2);
            JsonObject first = Json.parseObject(lines.get(0).getBytes(StandardCharsets.UTF_8));
            assertThat(first.keys()).containsExactly("Type", "Action", "Actor", "scope", "time", "timeNano");
            assertThat(first.string("Type")).isEqualTo("plugin");
            assertThat(first.object("Actor").string("ID")).isEqualTo(p.id());
            assertThat(first.object("Actor").object("Attributes").string("name")).isEqualTo("a:latest");
            assertThat(first.integer("timeNano", 0, Long.MAX_VALUE)).isEqualTo(1772600767123456789L);
        }

        @Test
        void journal_isReadByAReadOnlyManagerWhileTheWriterHoldsTheRoot() {
            Plugin p = create("a");
            try (PluginManager reader = h.openWith(b -> b.readOnly(true).clock(clock))) {
                assertThat(reader.events().journal()).extracting(EventMessage::id, EventMessage::action)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(p.id(), "create"));
                manager().remove(p.name(), false);
                assertThat(reader.events().journal(EventFilter.parse(List.of("event=remove")))).hasSize(1);
            }
            assertThat(Events.read(h.root, EventFilter.ALL.since(clock.instant().minusSeconds(600))))
                    .extracting(EventMessage::action).containsExactly("create", "remove");
        }

        @Test
        void journal_survivesReopening() {
            create("a");
            m.close();
            m = null;
            create("b");
            assertThat(manager().events().journal()).extracting(EventMessage::name).containsExactly("a:latest", "b:latest");
        }

        @Test
        void journal_sinceAndUntil_boundTheTimes() {
            Instant t0 = clock.instant();
            create("a");
            clock.advance(Duration.ofMinutes(5));
            create("b");
            clock.advance(Duration.ofMinutes(5));
            create("c");
            assertThat(manager().events().journal(EventFilter.ALL.since(t0.plusSeconds(300)).until(t0.plusSeconds(300))))
                    .extracting(EventMessage::name).containsExactly("b:latest");
            assertThat(manager().events().journal(EventFilter.ALL.since(
                    EventFilter.parseTime("6m", clock.instant(), ZoneOffset.UTC))))
                    .extracting(EventMessage::name).containsExactly("b:latest", "c:latest");
        }

        @Test
        void journal_isBoundedByCount() throws IOException {
            m = h.openWith(b -> b.clock(clock).eventJournal(10, Duration.ofDays(1)));
            for (int i = 0; i < 30; i++) {
                m.remove(create("p" + i).name(), false);
            }
            // 60 events; compaction keeps 10 and runs once 10 + 16 are exceeded
            long lines = Files.readAllLines(h.root.resolve("berth-events.jsonl")).size();
            assertThat(lines).isBetween(10L, 26L);
            List<EventMessage> j = m.events().journal();
            assertThat(j).hasSize((int) lines);
            assertThat(j.get(j.size() - 1).name()).isEqualTo("p29:latest");
            assertThat(j.get(j.size() - 1).action()).isEqualTo("remove");
        }

        @Test
        void journal_isBoundedByAge() throws IOException {
            m = h.openWith(b -> b.clock(clock).eventJournal(100, Duration.ofHours(1)));
            create("old");
            clock.advance(Duration.ofMinutes(61));
            assertThat(m.events().journal()).as("older than the bound: not returned").isEmpty();
            clock.advance(Duration.ofMinutes(10)); // now past the bound plus a tenth: the next append compacts
            create("new");
            assertThat(Files.readAllLines(h.root.resolve("berth-events.jsonl"))).hasSize(1);
            assertThat(m.events().journal()).extracting(EventMessage::name).containsExactly("new:latest");
        }

        @Test
        void journal_tornLastLine_isSkippedAndCutBeforeTheNextAppend() throws IOException {
            create("a");
            m.close();
            m = null;
            Path file = h.root.resolve("berth-events.jsonl");
            Files.write(file, "{\"Type\":\"plugin\",\"Act".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
            assertThat(Events.read(h.root, EventFilter.ALL)).extracting(EventMessage::name).containsExactly("a:latest");
            create("b");
            assertThat(manager().events().journal()).extracting(EventMessage::name).containsExactly("a:latest", "b:latest");
            assertThat(Files.readAllLines(file)).hasSize(2);
        }

        @Test
        void journal_zeroEntries_writesNoFile() {
            m = h.openWith(b -> b.clock(clock).eventJournal(0, Duration.ofDays(1)));
            create("a");
            assertThat(h.root.resolve("berth-events.jsonl")).doesNotExist();
            assertThat(m.events().journal()).isEmpty();
        }

        @Test
        void journal_unwritable_neverFailsAnOperation() throws IOException {
            Files.createDirectories(h.root.resolve("berth-events.jsonl")); // a directory where the file goes
            Plugin p = create("a");
            assertThat(manager().inspect(p.id()).name()).isEqualTo("a:latest");
        }
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
