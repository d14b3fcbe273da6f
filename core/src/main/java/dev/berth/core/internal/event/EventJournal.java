package dev.berth.core.internal.event;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent events of one plugin root, in {@code <root>/berth-events.jsonl}: one JSON object per line,
 * in the shape of Docker's event message ({@code {"Type":"plugin","Action":"pull","Actor":{"ID":...,
 * "Attributes":{"name":...}},"scope":"local","time":...,"timeNano":...}}).
 *
 * <p><b>Crash safety.</b> An event is appended with one write of a whole line and then forced to disk.
 * A crash can leave at most a torn last line: readers skip any line that does not parse, and the next
 * writer cuts the torn tail off when it opens the journal, so the next line starts clean. Compaction
 * writes the kept lines to a temporary file, forces it and renames it over the journal, so a reader (in
 * this or another process) sees the old or the new file, never a mix.
 *
 * <p><b>Bounds.</b> At most {@code maxEntries} entries younger than {@code maxAge} are kept. The file is
 * compacted when it holds a quarter more entries than that (at least 16 more) or when its oldest entry is
 * a tenth older than {@code maxAge}; readers never return entries older than {@code maxAge}. Only the
 * manager holding the root's lock writes; read-only managers only read.
 *
 * <p>Thread-safe.
 */
public final class EventJournal {
    /** The journal's file name under the plugin root. */
    public static final String FILE = "berth-events.jsonl";
    /** Lines longer than this are not events Berth wrote and are skipped. */
    static final int MAX_LINE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);

    private final Path file;
    private final boolean writable;
    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;
    /** The writer's view of the file: how many entries it holds and the oldest one's time. */
    private int entries;
    private Instant oldest;

    private EventJournal(Path file, boolean writable, int maxEntries, Duration maxAge, Clock clock) {
        this.file = file;
        this.writable = writable;
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /**
     * Opens the journal of {@code root}. A writable journal repairs a torn tail, removes a compaction
     * leftover and compacts if the file is over its bounds; failures to do so are logged (the journal
     * never fails the manager).
     *
     * @param writable   false for a read-only manager: nothing is ever written
     * @param maxEntries how many entries to keep; 0 writes no journal
     * @param maxAge     how old an entry may get
     */
    public static EventJournal open(Path root, boolean writable, int maxEntries, Duration maxAge, Clock clock) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
        }
        EventJournal j = new EventJournal(root.resolve(FILE), writable, maxEntries, maxAge, Objects.requireNonNull(clock));
        if (writable) {
            try {
                Files.deleteIfExists(j.tempFile());
                j.repairTail();
                List<EventMessage> all = j.readAll();
                j.entries = all.size();
                j.oldest = all.isEmpty() ? null : all.get(0).time();
                if (j.overBounds()) {
                    j.compact(all);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot prepare the event journal {}: {}", j.file, e.toString());
            }
        }
        return j;
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    /**
     * Appends one event and forces it to disk; compacts when the journal is over its bounds. Does nothing
     * for a read-only journal or one with no entries allowed.
     *
     * @throws IOException when the line cannot be written (the caller logs it; the operation stands)
     */
    public synchronized void append(EventMessage m) throws IOException {
        if (!writable || maxEntries == 0) {
            return;
        }
        byte[] line = encode(m);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        entries++;
        if (oldest == null) {
            oldest = m.time();
        }
        if (overBounds()) {
            compact(readAll());
        }
    }

    /** The entries that pass {@code filter} and are younger than the age bound, oldest first. */
    public List<EventMessage> read(EventFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Instant cutoff = ageCutoff();
        List<EventMessage> out = new ArrayList<>();
        try {
            for (EventMessage m : readAll()) {
                if (!m.time().isBefore(cutoff) && filter.test(m)) {
                    out.add(m);
                }
            }
        } catch (IOException e) {
            throw new dev.berth.exception.SystemException("cannot read the event journal " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The oldest time kept; {@link Instant#MIN} for an age bound beyond the calendar (no bound). */
    private Instant ageCutoff() {
        try {
            return clock.instant().minus(maxAge);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            return Instant.MIN;
        }
    }

    private boolean overBounds() {
        int slack = Math.max(16, maxEntries / 4);
        if (entries > maxEntries + slack) {
            return true;
        }
        try {
            return oldest != null && oldest.isBefore(clock.instant().minus(maxAge.plus(maxAge.dividedBy(10))));
        } catch (java.time.DateTimeException | ArithmeticException e) {
            return false;
        }
    }

    /** Keeps the newest {@code maxEntries} entries younger than {@code maxAge}: temp file, force, rename. */
    private void compact(List<EventMessage> all) throws IOException {
        Instant cutoff = ageCutoff();
        List<EventMessage> kept = new ArrayList<>();
        for (EventMessage m : all) {
            if (!m.time().isBefore(cutoff)) {
                kept.add(m);
            }
        }
        if (kept.size() > maxEntries) {
            kept = new ArrayList<>(kept.subList(kept.size() - maxEntries, kept.size()));
        }
        Path tmp = tempFile();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (EventMessage m : kept) {
                ByteBuffer buf = ByteBuffer.wrap(encode(m));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(file.getParent());
        entries = kept.size();
        oldest = kept.isEmpty() ? null : kept.get(0).time();
    }

    private Path tempFile() {
        return file.resolveSibling("." + FILE + ".tmp");
    }

    /** Cuts a torn last line (no final newline: a crash during an append) off, so the next append starts a line. */
    private void repairTail() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) {
                return;
            }
            long pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            if (pos < size) {
                LOG.warn("event journal {}: cutting a torn last line of {} bytes", file, size - pos);
                ch.truncate(pos);
                ch.force(true);
            }
        } catch (NoSuchFileException e) {
            // no journal yet
        }
    }

    private List<EventMessage> readAll() throws IOException {
        List<EventMessage> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.length() > MAX_LINE) {
                    continue;
                }
                try {
                    out.add(decode(line.getBytes(StandardCharsets.UTF_8)));
                } catch (RuntimeException e) {
                    // A torn line from a crash, or something Berth did not write.
                    LOG.debug("event journal {}: skipping a line: {}", file, e.toString());
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /** One line: Docker's event message JSON and a newline. */
    static byte[] encode(EventMessage m) {
        long nanos = m.time().getEpochSecond() * 1_000_000_000L + m.time().getNano();
        GoJsonWriter w = new GoJsonWriter().beginObject()
                .name("Type").value(m.type())
                .name("Action").value(m.action())
                .name("Actor").beginObject()
                .name("ID").value(m.id())
                .name("Attributes").beginObject();
        for (Map.Entry<String, String> a : m.attributes().entrySet()) {
            w.name(a.getKey()).value(a.getValue());
        }
        w.endObject().endObject()
                .name("scope").value("local")
                .name("time").value(m.time().getEpochSecond())
                .name("timeNano").value(nanos)
                .endObject();
        byte[] json = w.toBytes();
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** Parses one line. @throws RuntimeException when it is not an event */
    static EventMessage decode(byte[] line) {
        JsonObject o = Json.parseObject(line, MAX_LINE);
        JsonObject actor = Objects.requireNonNull(o.object("Actor"), "Actor");
        Map<String, String> attributes = new TreeMap<>();
        JsonObject attrs = actor.object("Attributes");
        if (attrs != null) {
            for (String k : attrs.keys()) {
                attributes.put(k, attrs.string(k));
            }
        }
        long nanos = o.integer("timeNano", 0, Long.MAX_VALUE);
        Instant time = nanos != 0 ? Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L)
                : Instant.ofEpochSecond(o.integer("time", 0, Long.MAX_VALUE / 1_000_000_000L));
        return new EventMessage(o.string("Type"), o.string("Action"), actor.string("ID"), attributes, time);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system can open a directory for syncing; the rename is still atomic.
        }
    }
}
