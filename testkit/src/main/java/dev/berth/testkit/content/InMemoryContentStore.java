package dev.berth.testkit.content;

import dev.berth.content.CommitResult;
import dev.berth.content.ContentInfo;
import dev.berth.content.ContentLabels;
import dev.berth.content.ContentReader;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.content.IngestLockedException;
import dev.berth.content.IngestStatus;
import dev.berth.content.SizeMismatchException;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link ContentStore} that keeps everything in memory, for tests: Berth's and its users'. It
 * follows the same contract as the durable {@code FileContentStore} (it passes
 * {@link ContentStoreContract}), minus durability and cross-process locking.
 *
 * <p>Thread-safe: every operation holds one monitor briefly; writers buffer their bytes in the ingest.
 * Blobs live on the heap, so keep them small.
 */
public final class InMemoryContentStore implements ContentStore {
    private final Clock clock;
    private final Object lock = new Object();
    /** Sorted so walks and listings are deterministic. */
    private final Map<Digest, Blob> blobs = new TreeMap<>();
    private final Map<String, Ingest> ingests = new HashMap<>();

    private InMemoryContentStore(Clock clock) {
        this.clock = clock;
    }

    /** An empty store on the system clock. */
    public static InMemoryContentStore create() {
        return new InMemoryContentStore(Clock.systemUTC());
    }

    /** An empty store whose times come from {@code clock}. */
    public static InMemoryContentStore create(Clock clock) {
        return new InMemoryContentStore(Objects.requireNonNull(clock, "clock"));
    }

    private record Blob(byte[] bytes, Instant createdAt, Instant updatedAt, Map<String, String> labels) {
        ContentInfo info(Digest digest) {
            return new ContentInfo(digest, bytes.length, createdAt, updatedAt, labels);
        }
    }

    private static final class Ingest {
        final String ref;
        final Instant startedAt;
        final OptionalLong total;
        final Optional<Digest> expected;
        byte[] data = new byte[0];
        int length;
        Instant updatedAt;
        Instant lockedSince;

        Ingest(String ref, Instant now, OptionalLong total, Optional<Digest> expected) {
            this.ref = ref;
            this.startedAt = now;
            this.updatedAt = now;
            this.total = total;
            this.expected = expected;
        }

        IngestStatus status() {
            return new IngestStatus(ref, length, total, expected, startedAt, updatedAt);
        }
    }

    // ---- provider

    @Override
    public ContentReader reader(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        byte[] bytes;
        synchronized (lock) {
            Blob blob = blobs.get(digest);
            if (blob == null) {
                throw notFound(digest);
            }
            bytes = blob.bytes;
        }
        // Blob bytes are never mutated, so the reader can share them and outlive a delete.
        return new ContentReader() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public int readAt(ByteBuffer dst, long position) {
                if (position < 0) {
                    throw new IllegalArgumentException("negative position " + position);
                }
                if (position >= bytes.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), bytes.length - position);
                dst.put(bytes, (int) position, n);
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    // ---- ingester

    @Override
    public ContentWriter writer(String ref, OptionalLong expectedSize, Optional<Digest> expectedDigest) {
        checkRef(ref);
        Objects.requireNonNull(expectedSize, "expectedSize");
        Objects.requireNonNull(expectedDigest, "expectedDigest");
        if (expectedSize.isPresent() && expectedSize.getAsLong() < 0) {
            throw new InvalidParameterException("expected size of " + ref + " is negative: " + expectedSize.getAsLong());
        }
        synchronized (lock) {
            Ingest ingest = ingests.get(ref);
            Instant now = clock.instant();
            if (ingest != null && ingest.lockedSince != null) {
                throw new IngestLockedException(ref, "for " + Duration.between(ingest.lockedSince, now)
                        + " (since " + ingest.lockedSince + ")");
            }
            if (ingest == null || mismatched(ingest, expectedSize, expectedDigest)) {
                ingest = new Ingest(ref, now, expectedSize, expectedDigest);
                ingests.put(ref, ingest);
            }
            ingest.lockedSince = now;
            return new Writer(ingest);
        }
    }

    private static boolean mismatched(Ingest ingest, OptionalLong size, Optional<Digest> digest) {
        // A resumed ingest whose promises differ from the new ones holds someone else's bytes.
        return (size.isPresent() && (!ingest.total.equals(size) || ingest.length > size.getAsLong()))
                || (digest.isPresent() && !ingest.expected.equals(digest));
    }

    private final class Writer implements ContentWriter {
        private final Ingest ingest;
        private Digester digester;
        private boolean closed;

        Writer(Ingest ingest) {
            this.ingest = ingest;
            this.digester = Digester.of(algorithm());
            digester.update(ingest.data, 0, ingest.length);
        }

        private String algorithm() {
            return ingest.expected.map(Digest::algorithm).orElse(Digest.SHA256);
        }

        @Override
        public String ref() {
            return ingest.ref;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            synchronized (lock) {
                checkUsable();
                long after = (long) ingest.length + length;
                if (ingest.total.isPresent() && after > ingest.total.getAsLong()) {
                    throw new SizeMismatchException("ingest " + ingest.ref, ingest.total.getAsLong(), after);
                }
                if (after > Integer.MAX_VALUE - 8) {
                    throw new InvalidParameterException("ingest " + ingest.ref + " is too large for memory");
                }
                if (after > ingest.data.length) {
                    ingest.data = Arrays.copyOf(ingest.data, (int) Math.max(after, Math.min(Integer.MAX_VALUE - 8L,
                            ingest.data.length * 2L)));
                }
                System.arraycopy(bytes, offset, ingest.data, ingest.length, length);
                ingest.length = (int) after;
                ingest.updatedAt = clock.instant();
                digester.update(bytes, offset, length);
            }
        }

        @Override
        public Digest digest() {
            return digester.digest();
        }

        @Override
        public Optional<Digester> resumeState() {
            synchronized (lock) {
                return Optional.of(digester.copy());
            }
        }

        @Override
        public IngestStatus status() {
            synchronized (lock) {
                return ingest.status();
            }
        }

        @Override
        public void truncate(long size) {
            if (size != 0) {
                throw new IllegalArgumentException("only truncate(0) is supported, not " + size);
            }
            synchronized (lock) {
                checkUsable();
                ingest.data = new byte[0];
                ingest.length = 0;
                ingest.updatedAt = clock.instant();
                digester = Digester.of(algorithm());
            }
        }

        @Override
        public CommitResult commit(OptionalLong expectedSize, Optional<Digest> expectedDigest,
                                   Map<String, String> labels) {
            Objects.requireNonNull(expectedSize, "expectedSize");
            Objects.requireNonNull(expectedDigest, "expectedDigest");
            Map<String, String> checked = ContentLabels.validate(labels);
            synchronized (lock) {
                try {
                    checkUsable();
                    String subject = "ingest " + ingest.ref;
                    long size = ingest.length;
                    for (OptionalLong want : List.of(expectedSize, ingest.total)) {
                        if (want.isPresent() && want.getAsLong() != size) {
                            throw new SizeMismatchException(subject, want.getAsLong(), size);
                        }
                    }
                    Digest actual = digester.digest();
                    for (Optional<Digest> want : List.of(expectedDigest, ingest.expected)) {
                        if (want.isPresent()) {
                            Digest in = want.get().algorithm().equals(actual.algorithm()) ? actual
                                    : Digest.of(want.get().algorithm(), Arrays.copyOf(ingest.data, ingest.length));
                            if (!in.equals(want.get())) {
                                throw new DigestMismatchException(subject, want.get(), in);
                            }
                        }
                    }
                    Digest name = expectedDigest.or(() -> ingest.expected).orElse(actual);
                    ingests.remove(ingest.ref);
                    if (blobs.containsKey(name)) {
                        return new CommitResult(CommitResult.Outcome.ALREADY_EXISTS, name, size);
                    }
                    Instant now = clock.instant();
                    blobs.put(name, new Blob(Arrays.copyOf(ingest.data, ingest.length), now, now, checked));
                    return new CommitResult(CommitResult.Outcome.COMMITTED, name, size);
                } finally {
                    release();
                }
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                release();
            }
        }

        private void release() {
            if (!closed) {
                closed = true;
                ingest.lockedSince = null;
            }
        }

        private void checkUsable() {
            if (closed) {
                throw new IllegalStateException("writer for " + ingest.ref + " is closed");
            }
            if (ingests.get(ingest.ref) != ingest) {
                throw new NotFoundException("ingest " + ingest.ref + " was aborted");
            }
        }
    }

    // ---- ingest manager

    @Override
    public Optional<IngestStatus> status(String ref) {
        checkRef(ref);
        synchronized (lock) {
            return Optional.ofNullable(ingests.get(ref)).map(Ingest::status);
        }
    }

    @Override
    public List<IngestStatus> statuses(Predicate<? super IngestStatus> filter) {
        Objects.requireNonNull(filter, "filter");
        List<IngestStatus> all;
        synchronized (lock) {
            all = ingests.values().stream().map(Ingest::status).toList();
        }
        return all.stream().filter(filter).toList();
    }

    @Override
    public void abort(String ref) {
        checkRef(ref);
        synchronized (lock) {
            if (ingests.remove(ref) == null) {
                throw new NotFoundException("ingest " + ref + " not found");
            }
        }
    }

    // ---- manager

    @Override
    public Optional<ContentInfo> info(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        synchronized (lock) {
            return Optional.ofNullable(blobs.get(digest)).map(b -> b.info(digest));
        }
    }

    @Override
    public ContentInfo replaceLabels(Digest digest, Map<String, String> labels) {
        Objects.requireNonNull(digest, "digest");
        Map<String, String> checked = ContentLabels.validate(labels);
        synchronized (lock) {
            Blob blob = blobs.get(digest);
            if (blob == null) {
                throw notFound(digest);
            }
            Blob updated = new Blob(blob.bytes, blob.createdAt, clock.instant(), checked);
            blobs.put(digest, updated);
            return updated.info(digest);
        }
    }

    @Override
    public ContentInfo updateLabels(Digest digest, Map<String, String> changes) {
        Objects.requireNonNull(digest, "digest");
        ContentLabels.validate(changes);
        synchronized (lock) {
            Blob blob = blobs.get(digest);
            if (blob == null) {
                throw notFound(digest);
            }
            Map<String, String> merged = new HashMap<>(blob.labels);
            changes.forEach((k, v) -> {
                if (v.isEmpty()) {
                    merged.remove(k);
                } else {
                    merged.put(k, v);
                }
            });
            return replaceLabels(digest, merged);
        }
    }

    @Override
    public void walk(Predicate<? super ContentInfo> filter, Consumer<? super ContentInfo> consumer) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(consumer, "consumer");
        List<ContentInfo> snapshot = new ArrayList<>();
        synchronized (lock) {
            blobs.forEach((d, b) -> snapshot.add(b.info(d)));
        }
        // The consumer runs outside the monitor, so it may call back into the store (GC deletes).
        for (ContentInfo info : snapshot) {
            if (filter.test(info)) {
                consumer.accept(info);
            }
        }
    }

    @Override
    public void delete(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        synchronized (lock) {
            if (blobs.remove(digest) == null) {
                throw notFound(digest);
            }
        }
    }

    private static void checkRef(String ref) {
        Objects.requireNonNull(ref, "ref");
        if (ref.isEmpty()) {
            throw new InvalidParameterException("ingest ref must not be empty");
        }
    }

    private static NotFoundException notFound(Digest digest) {
        return new NotFoundException("content " + digest + " not found");
    }
}
