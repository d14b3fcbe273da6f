package dev.berth.testkit.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.content.CommitResult;
import dev.berth.content.ContentCopy;
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
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link ContentStore} implementation must pass: containerd's content test suite
 * ({@code core/content/testsuite}) ported to Java, plus the cases containerd leaves out (abort, delete,
 * walk and status filters, label rules, concurrent writers, cross-process locking, crash recovery,
 * early size enforcement).
 *
 * <p>To run it on a store, extend this class in a test and implement {@link #newStore()}; each test
 * gets a fresh, empty store. Stores that keep their data in a directory that a second JVM can open
 * also override {@link #childJvm()} to enable the cross-process cases (lock and crash); without it
 * those cases are skipped. Stores whose second instance shares the first's data override
 * {@link #reopen(ContentStore)}.
 *
 * <p>The suite expects the store's clock to be the system clock (it checks that times fall between
 * instants it reads before and after an operation).
 *
 * <p>One class, although long, because a user runs it by extending it once: its nested groups follow
 * containerd's content test suite case by case and share the store under test and its helpers.
 */
public abstract class ContentStoreContract {
    /** containerd's shared labels: a GC root stamped with the suite's start time. */
    protected static final Map<String, String> LABELS =
            Map.of(ContentLabels.GC_ROOT, Instant.now().toString());

    private static final AtomicLong SEED = new AtomicLong(1);
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    /** The store under test, fresh for each test. */
    protected ContentStore store;

    /** For subclasses. */
    protected ContentStoreContract() {
    }

    /** Creates a fresh, empty store for one test. */
    protected abstract ContentStore newStore() throws Exception;

    /**
     * A second instance sharing {@code first}'s data (for a file store: the same directory opened
     * again). Default: not supported, and the cases that need it are skipped.
     */
    protected Optional<ContentStore> reopen(ContentStore first) throws Exception {
        return Optional.empty();
    }

    /**
     * How a second JVM opens the store under test, for the cross-process cases. Default: not
     * supported, and those cases are skipped.
     */
    protected Optional<ChildJvm> childJvm() {
        return Optional.empty();
    }

    /** Releases what {@link #newStore()} created; called after each test. Default: nothing. */
    protected void closeStore(ContentStore closing) throws Exception {
    }

    /**
     * How the cross-process cases open the store under test in a child JVM.
     *
     * @param opener a class with a no-argument constructor that opens the store on a directory
     * @param root   the directory the store under test lives in
     */
    public record ChildJvm(Class<? extends ContentStoreOpener> opener, Path root) {
    }

    @BeforeEach
    final void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    final void destroyStore() throws Exception {
        closeStore(store);
    }

    // ------------------------------------------------------------------ helpers

    /** Repeatable pseudo-random content, like containerd's {@code createContent}. */
    public static byte[] content(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] newContent(int size) {
        return content(SEED.getAndIncrement(), size);
    }

    private CommitResult writeBlob(byte[] bytes, Map<String, String> labels) throws IOException {
        return ContentCopy.writeBlob(store, "blob-" + Digest.sha256(bytes), new ByteArrayInputStream(bytes),
                bytes.length, Digest.sha256(bytes), labels);
    }

    private static void writeInPieces(ContentWriter writer, byte[] bytes, int piece) throws IOException {
        for (int i = 0; i < bytes.length; i += piece) {
            writer.write(bytes, i, Math.min(piece, bytes.length - i));
        }
    }

    private byte[] read(Digest digest) throws IOException {
        try (InputStream in = store.stream(digest)) {
            return in.readAllBytes();
        }
    }

    private void assertLocked(String ref) {
        assertThatThrownBy(() -> store.writer(ref).close())
                .isInstanceOf(IngestLockedException.class)
                .hasMessageContaining(ref);
    }

    private void checkInfo(Digest digest, long size, Instant before, Instant after, Map<String, String> labels)
            throws IOException {
        ContentInfo info = store.info(digest).orElseThrow();
        assertThat(info.digest()).isEqualTo(digest);
        assertThat(info.size()).isEqualTo(size);
        assertThat(info.createdAt()).isBetween(before, after);
        assertThat(info.updatedAt()).isBetween(before, after);
        assertThat(info.labels()).isEqualTo(labels);
    }

    private static Instant now() {
        return Instant.now();
    }

    /** Sizes and resume fractions of containerd's resume cases. */
    static Stream<Arguments> resumeGrid() {
        List<Arguments> grid = new ArrayList<>();
        for (int size : new int[] {500, 5000, 50000}) {
            for (double fraction : new double[] {0, 0.1, 0.5, 0.9, 1.0}) {
                grid.add(Arguments.of(size, fraction));
            }
        }
        return grid.stream();
    }

    private interface ResumeStep {
        void finish(ContentWriter writer, byte[] bytes, Digest digest) throws IOException;
    }

    /** containerd's {@code checkResume}: write a prefix, close, reopen, finish with {@code step}, check. */
    private void checkResume(int size, double fraction, ResumeStep step) throws IOException {
        byte[] bytes = newContent(size);
        Digest digest = Digest.sha256(bytes);
        int prefix = (int) (size * fraction);
        String ref = "resume-" + digest;
        Instant before = now();
        try (ContentWriter w = store.writer(ref, size, digest)) {
            writeInPieces(w, Arrays.copyOf(bytes, prefix), 1024);
            assertThat(w.status().offset()).isEqualTo(prefix);
        }
        ContentWriter w = store.writer(ref, size, digest);
        assertThat(w.status().offset()).isEqualTo(prefix);
        assertThat(w.digest()).isEqualTo(Digest.sha256(Arrays.copyOf(bytes, prefix)));
        step.finish(w, bytes, digest);
        Instant after = now();
        checkInfo(digest, size, before, after, LABELS);
        assertThat(read(digest)).isEqualTo(bytes);
        assertThat(store.status(ref)).isEmpty();
    }

    // ------------------------------------------------------------------ containerd's cases

    @Nested
    class Writer {
        static Stream<Arguments> hints() {
            return Stream.of(
                    Arguments.of("ref only", false, false, 256),
                    Arguments.of("ref and size", true, false, 256),
                    Arguments.of("ref and digest", false, true, 256),
                    Arguments.of("ref, size and digest", true, true, 256),
                    Arguments.of("32 MiB with size and digest", true, true, 16 << 21));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("hints")
        void write_withHints_commitsAndReportsInfo(String name, boolean withSize, boolean withDigest, int size)
                throws IOException {
            byte[] bytes = newContent(size);
            Digest digest = Digest.sha256(bytes);
            ContentWriter w = store.writer("writer-" + name,
                    withSize ? OptionalLong.of(size) : OptionalLong.empty(),
                    withDigest ? Optional.of(digest) : Optional.empty());
            // containerd's suite copies through a 32-byte buffer; really write in small pieces here.
            writeInPieces(w, bytes, size > 1 << 20 ? 1024 : 32);
            assertThat(w.digest()).isEqualTo(digest);
            Instant before = now();
            CommitResult result = w.commit(LABELS);
            Instant after = now();

            assertThat(result).isEqualTo(new CommitResult(CommitResult.Outcome.COMMITTED, digest, size));
            checkInfo(digest, size, before, after, LABELS);
        }

        @Test
        void write_moreThanExpectedSize_failsAtTheOverflowingWrite() throws IOException {
            try (ContentWriter w = store.writer("overflow", OptionalLong.of(10), Optional.empty())) {
                w.write(new byte[10]);
                assertThatThrownBy(() -> w.write(new byte[1])).isInstanceOf(SizeMismatchException.class);
                assertThat(w.status().offset()).isEqualTo(10);
            }
        }

        @Test
        void writer_emptyRef_isInvalid() {
            assertThatThrownBy(() -> store.writer("")).isInstanceOf(InvalidParameterException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"../../etc/passwd", "a/b", "/", "..", "ref with spaces", "\u00e9\u00e8\u4e2d"})
        void writer_hostileRef_isKeptOpaque(String ref) throws IOException {
            byte[] bytes = newContent(100);
            try (ContentWriter w = store.writer(ref)) {
                w.write(bytes);
            }
            assertThat(store.status(ref)).map(IngestStatus::offset).contains(100L);
            ContentWriter w = store.writer(ref);
            assertThat(w.commit(Map.of()).digest()).isEqualTo(Digest.sha256(bytes));
        }

        @Test
        void writer_tenKilobyteRef_works() throws IOException {
            String ref = "r".repeat(10_000);
            byte[] bytes = newContent(10);
            ContentWriter w = store.writer(ref);
            w.write(bytes);
            assertThat(w.commit(Map.of()).outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
        }

        @Test
        void writer_afterCommit_refusesWrites() throws IOException {
            ContentWriter w = store.writer("after-commit");
            w.write(newContent(4));
            w.commit(Map.of());
            assertThatThrownBy(() -> w.write(new byte[1])).isInstanceOf(IllegalStateException.class);
            w.close(); // still idempotent
        }

        @Test
        void outputStream_closed_keepsTheIngest() throws IOException {
            byte[] bytes = newContent(300);
            try (var out = store.writer("stream").outputStream()) {
                out.write(bytes);
            }
            assertThat(store.status("stream")).map(IngestStatus::offset).contains(300L);
        }
    }

    @Nested
    class UpdateStatus {
        @Test
        void status_afterEachWrite_tracksOffsetDigestAndTimes() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            Instant before = now();
            ContentWriter w = store.writer("update-status", 256, digest);
            IngestStatus s = w.status();
            assertThat(s.ref()).isEqualTo("update-status");
            assertThat(s.offset()).isZero();
            assertThat(s.total()).hasValue(256);
            assertThat(w.digest()).isEqualTo(Digest.sha256(new byte[0]));
            assertThat(s.startedAt()).isBetween(before, now());
            Instant started = s.startedAt();
            Instant lastUpdate = s.updatedAt();

            int offset = 0;
            for (int piece : new int[] {64, 128, 64}) {
                Instant pre = now();
                w.write(bytes, offset, piece);
                offset += piece;
                IngestStatus after = w.status();
                assertThat(after.offset()).isEqualTo(offset);
                assertThat(after.total()).hasValue(256);
                assertThat(after.startedAt()).isEqualTo(started);
                assertThat(after.updatedAt()).isAfterOrEqualTo(pre).isAfterOrEqualTo(lastUpdate);
                assertThat(w.digest()).isEqualTo(Digest.sha256(Arrays.copyOf(bytes, offset)));
                assertThat(store.status("update-status")).map(IngestStatus::offset).contains((long) offset);
                lastUpdate = after.updatedAt();
            }
            Instant preCommit = now();
            w.commit(256, digest, LABELS);
            checkInfo(digest, 256, preCommit, now(), LABELS);
        }
    }

    @Nested
    class CommitExists {
        @Test
        void commit_contentAlreadyPresent_reportsAlreadyExists() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            assertThat(writeBlob(bytes, LABELS).outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
            ContentInfo original = store.info(digest).orElseThrow();

            ContentWriter w = store.writer("exists-1");
            w.write(bytes);
            assertThat(w.commit(bytes.length, digest, Map.of("other", "x")).outcome())
                    .isEqualTo(CommitResult.Outcome.ALREADY_EXISTS);
            ContentWriter w2 = store.writer("exists-2");
            w2.write(bytes);
            CommitResult noDigest = w2.commit(OptionalLong.of(bytes.length), Optional.empty(), Map.of());
            assertThat(noDigest).isEqualTo(new CommitResult(CommitResult.Outcome.ALREADY_EXISTS, digest, 256));

            assertThat(store.info(digest)).contains(original);
            assertThat(store.status("exists-1")).isEmpty();
            assertThat(store.status("exists-2")).isEmpty();
        }
    }

    @Nested
    class Resume {
        @Test
        void writer_reopenedAfterClose_continuesWhereItStopped() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            Instant before = now();
            ContentWriter w = store.writer("resume", 256, digest);
            w.write(bytes, 0, 128);
            IngestStatus preClose = w.status();
            Digest preCloseDigest = w.digest();
            w.close();

            ContentWriter again = store.writer("resume", 256, digest);
            assertThat(again.status()).isEqualTo(preClose);
            assertThat(again.digest()).isEqualTo(preCloseDigest);
            again.write(bytes, 128, 128);
            assertThat(again.status().offset()).isEqualTo(256);
            assertThat(again.digest()).isEqualTo(digest);
            again.commit(OptionalLong.empty(), Optional.empty(), LABELS);
            checkInfo(digest, 256, before, now(), LABELS);
        }

        @ParameterizedTest(name = "size {0}, resumed at {1}")
        @MethodSource("dev.berth.testkit.content.ContentStoreContract#resumeGrid")
        void resumeTruncate_truncatedAndRewritten_commits(int size, double fraction) throws IOException {
            checkResume(size, fraction, (w, bytes, digest) -> {
                w.truncate(0);
                assertThat(w.status().offset()).isZero();
                writeInPieces(w, bytes, 1024);
                w.commit(size, digest, LABELS);
            });
        }

        @ParameterizedTest(name = "size {0}, resumed at {1}")
        @MethodSource("dev.berth.testkit.content.ContentStoreContract#resumeGrid")
        void resumeDiscard_onlyRemainingBytesWritten_commits(int size, double fraction) throws IOException {
            checkResume(size, fraction, (w, bytes, digest) -> {
                int offset = (int) w.status().offset();
                writeInPieces(w, Arrays.copyOfRange(bytes, offset, bytes.length), 1024);
                w.commit(size, digest, LABELS);
            });
        }

        @ParameterizedTest(name = "size {0}, resumed at {1}")
        @MethodSource("dev.berth.testkit.content.ContentStoreContract#resumeGrid")
        void resumeCopy_plainStream_skipsByDiscarding(int size, double fraction) throws IOException {
            checkResume(size, fraction, (w, bytes, digest) -> {
                // No skip() of its own: the copy must read and drop the bytes the ingest already has.
                InputStream plain = new InputStream() {
                    private final ByteArrayInputStream in = new ByteArrayInputStream(bytes);

                    @Override
                    public int read() {
                        return in.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        return in.read(b, off, len);
                    }
                };
                ContentCopy.copy(w, plain, OptionalLong.of(size), Optional.of(digest), LABELS);
            });
        }

        @ParameterizedTest(name = "size {0}, resumed at {1}")
        @MethodSource("dev.berth.testkit.content.ContentStoreContract#resumeGrid")
        void resumeCopySeeker_seekableChannel_skipsBySeeking(int size, double fraction) throws IOException {
            checkResume(size, fraction, (w, bytes, digest) -> {
                try (SeekableByteChannel channel = new ByteArrayChannel(bytes)) {
                    ContentCopy.copy(w, channel, OptionalLong.of(size), Optional.of(digest), LABELS);
                }
            });
        }

        @ParameterizedTest(name = "size {0}, resumed at {1}")
        @MethodSource("dev.berth.testkit.content.ContentStoreContract#resumeGrid")
        void resumeCopyReaderAt_contentReader_skipsWithPositionalReads(int size, double fraction)
                throws IOException {
            ContentStore source = InMemoryContentStore.create();
            byte[][] holder = new byte[1][];
            checkResume(size, fraction, (w, bytes, digest) -> {
                holder[0] = bytes;
                ContentWriter sw = source.writer("source");
                sw.write(bytes);
                sw.commit(Map.of());
                try (ContentReader reader = source.reader(digest)) {
                    ContentCopy.copy(w, reader, OptionalLong.of(size), Optional.of(digest), LABELS);
                }
            });
            assertThat(holder[0]).hasSize(size);
        }

        @Test
        void writer_reopenedWithDifferentTotal_startsOver() throws IOException {
            byte[] bytes = newContent(100);
            try (ContentWriter w = store.writer("total-changes", OptionalLong.of(100), Optional.empty())) {
                w.write(bytes, 0, 50);
            }
            try (ContentWriter w = store.writer("total-changes", OptionalLong.of(200), Optional.empty())) {
                assertThat(w.status().offset()).isZero();
                assertThat(w.status().total()).hasValue(200);
            }
        }
    }

    @Nested
    class SmallBlob {
        @Test
        void readAt_pastTheEnd_stopsAtEndWithTheRightDigest() throws IOException {
            byte[] bytes = "hello\n".getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, Map.of());
            try (ContentReader reader = store.reader(digest)) {
                assertThat(reader.size()).isEqualTo(6);
                ByteBuffer buffer = ByteBuffer.allocate(7); // a section one byte larger than the blob
                int n = reader.readAt(buffer, 0);
                assertThat(n).isEqualTo(6);
                assertThat(reader.readAt(buffer, 6)).isEqualTo(-1);
                assertThat(Digest.sha256(Arrays.copyOf(buffer.array(), n))).isEqualTo(digest);
                ByteBuffer tail = ByteBuffer.allocate(10);
                assertThat(reader.readAt(tail, 4)).isEqualTo(2);
                assertThat(Arrays.copyOf(tail.array(), 2)).isEqualTo("o\n".getBytes(StandardCharsets.UTF_8));
            }
        }

        @Test
        void commit_emptyBlob_commitsAndReadsBack() throws IOException {
            Digest empty = Digest.sha256(new byte[0]);
            ContentWriter w = store.writer("empty", 0, empty);
            assertThat(w.commit(0, empty, Map.of()).outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
            assertThat(read(empty)).isEmpty();
            assertThat(store.info(empty)).map(ContentInfo::size).contains(0L);
        }
    }

    @Nested
    class Labels {
        @Test
        void labels_replacedThenUpdatedByKey_changeExactlyAsAsked() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            Map<String, String> initial = new HashMap<>(LABELS);
            initial.put("k1", "v1");
            initial.put("k2", "v2");
            Instant before = now();
            writeBlob(bytes, initial);
            Instant afterCommit = now();
            checkInfo(digest, 256, before, afterCommit, initial);

            Map<String, String> replaced = new HashMap<>(LABELS);
            replaced.put("k1", "v1.1");
            replaced.put("k3", "v3");
            Instant preUpdate = now();
            ContentInfo updated = store.replaceLabels(digest, replaced);
            assertThat(updated.labels()).isEqualTo(replaced);
            assertThat(updated.updatedAt()).isBetween(preUpdate, now());
            assertThat(updated.createdAt()).isBetween(before, afterCommit);
            assertThat(store.info(digest)).contains(updated);

            Map<String, String> changes = new HashMap<>();
            changes.put("k3", "");
            changes.put("k1", "v1");
            ContentInfo partial = store.updateLabels(digest, changes);
            Map<String, String> expected = new HashMap<>(LABELS);
            expected.put("k1", "v1");
            assertThat(partial.labels()).isEqualTo(expected);
            assertThat(store.info(digest).orElseThrow().labels()).isEqualTo(expected);
            assertThat(partial.updatedAt()).isAfterOrEqualTo(updated.updatedAt());
        }

        @Test
        void labels_caseVariantKeys_areDistinct() throws IOException {
            byte[] bytes = newContent(10);
            writeBlob(bytes, Map.of("key", "a", "KEY", "b", "k=v\n% ", "x y\nz"));
            assertThat(store.info(Digest.sha256(bytes)).orElseThrow().labels())
                    .isEqualTo(Map.of("key", "a", "KEY", "b", "k=v\n% ", "x y\nz"));
        }

        @Test
        void update_unknownDigest_isNotFound() {
            Digest missing = Digest.sha256("missing");
            assertThatThrownBy(() -> store.replaceLabels(missing, Map.of())).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> store.updateLabels(missing, Map.of("a", "b")))
                    .isInstanceOf(NotFoundException.class);
        }

        @Test
        void labels_tooLongOrEmptyKey_areInvalid() throws IOException {
            byte[] bytes = newContent(10);
            writeBlob(bytes, Map.of());
            Digest digest = Digest.sha256(bytes);
            assertThatThrownBy(() -> store.replaceLabels(digest, Map.of("k", "v".repeat(ContentLabels.MAX_LABEL_SIZE))))
                    .isInstanceOf(InvalidParameterException.class);
            assertThatThrownBy(() -> store.updateLabels(digest, Map.of("", "v")))
                    .isInstanceOf(InvalidParameterException.class);
            ContentWriter w = store.writer("bad-labels");
            w.write(newContent(5));
            assertThatThrownBy(() -> w.commit(Map.of("", "x"))).isInstanceOf(InvalidParameterException.class);
            assertThat(store.status("bad-labels")).isPresent(); // a refused commit keeps the ingest
        }
    }

    @Nested
    class CommitErrorState {
        @Test
        void commit_failures_keepTheIngestAndTheRefUsable() throws IOException {
            String ref = "c1-commiterror-state";
            byte[] c1 = newContent(256);
            Digest d1 = Digest.sha256(c1);
            writeBlob(c1, LABELS);

            // (a) a second writer on an open ref is refused
            ContentWriter w = store.writer(ref);
            assertLocked(ref);
            // (b) existing content, with a digest
            w.write(c1);
            assertThat(w.commit(c1.length, d1, Map.of()).outcome()).isEqualTo(CommitResult.Outcome.ALREADY_EXISTS);
            // (c) existing content, without a digest
            w = store.writer(ref);
            assertLocked(ref);
            w.write(c1);
            assertThat(w.commit(OptionalLong.of(c1.length), Optional.empty(), Map.of()).outcome())
                    .isEqualTo(CommitResult.Outcome.ALREADY_EXISTS);
            // (d) more bytes, wrong digest
            w = store.writer(ref);
            assertLocked(ref);
            w.write(c1);
            w.write("more".getBytes(StandardCharsets.UTF_8));
            ContentWriter wd = w;
            Digest d2 = Digest.sha256(newContent(256));
            assertThatThrownBy(() -> wd.commit(c1.length + 4, d2, Map.of()))
                    .isInstanceOf(DigestMismatchException.class)
                    .satisfies(e -> assertThat(((DigestMismatchException) e).expected()).isEqualTo(d2));
            // commit always closes: the ref is free again
            // (e) reopen keeps the partial data; wrong size
            w = store.writer(ref);
            assertLocked(ref);
            assertThat(w.status().offset()).isEqualTo(c1.length + 4);
            ContentWriter we = w;
            assertThatThrownBy(() -> we.commit(OptionalLong.of(c1.length), Optional.empty(), Map.of()))
                    .isInstanceOf(SizeMismatchException.class);
            // (f) the data survived both failed commits
            w = store.writer(ref);
            assertLocked(ref);
            byte[] more = Arrays.copyOf(c1, c1.length + 4);
            System.arraycopy("more".getBytes(StandardCharsets.UTF_8), 0, more, c1.length, 4);
            CommitResult ok = w.commit(OptionalLong.of(c1.length + 4), Optional.empty(), Map.of());
            assertThat(ok.outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
            assertThat(ok.digest()).isEqualTo(Digest.sha256(more));
            // (g) a new writer writing existing content
            w = store.writer(ref);
            assertLocked(ref);
            w.write(c1);
            assertThat(w.commit(c1.length, d1, Map.of()).outcome()).isEqualTo(CommitResult.Outcome.ALREADY_EXISTS);
            // (h) truncate and close, then the ref opens again
            w = store.writer(ref);
            assertLocked(ref);
            w.write(c1, 0, 10);
            w.truncate(0);
            w.close();
            try (ContentWriter last = store.writer(ref)) {
                assertThat(last.status().offset()).isZero();
            }
        }

        @Test
        void commit_wrongDigest_isMismatchAndPublishesNothing() throws IOException {
            byte[] bytes = newContent(1000);
            Digest wrong = Digest.sha256("something else");
            ContentWriter w = store.writer("mismatch");
            w.write(bytes);
            assertThatThrownBy(() -> w.commit(1000, wrong, Map.of()))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining(wrong.toString())
                    .hasMessageContaining(Digest.sha256(bytes).toString());
            assertThat(store.info(wrong)).isEmpty();
            assertThat(store.info(Digest.sha256(bytes))).isEmpty();
            assertThatThrownBy(() -> store.reader(wrong)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void commit_digestExpectedAtOpenDiffers_isMismatch() throws IOException {
            byte[] bytes = newContent(100);
            Digest wrong = Digest.sha256("not these bytes");
            ContentWriter w = store.writer("mismatch-at-open", OptionalLong.empty(), Optional.of(wrong));
            w.write(bytes);
            assertThatThrownBy(() -> w.commit(Map.of())).isInstanceOf(DigestMismatchException.class);
            assertThat(store.info(wrong)).isEmpty();
        }

        @Test
        void commit_sha512Expected_namesTheBlobBySha512() throws IOException {
            byte[] bytes = newContent(100);
            Digest sha512 = Digest.of(Digest.SHA512, bytes);
            ContentWriter w = store.writer("sha512");
            w.write(bytes);
            CommitResult result = w.commit(100, sha512, Map.of());
            assertThat(result.digest()).isEqualTo(sha512);
            assertThat(read(sha512)).isEqualTo(bytes);
        }
    }

    // containerd's cases 13 to 16 are about metadata-store namespaces, which Berth does not have. Their
    // namespace-free meaning is kept: content is shared across refs and store instances, appending to
    // shared content makes a new blob without touching the old one, and a new ref never inherits
    // another ref's bytes.
    @Nested
    class SharingAcrossRefs {
        @Test
        void crossRefShare_sameContentUnderAnotherRef_isAlreadyThereAndReadable() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, LABELS);
            ContentWriter w = store.writer("other-ref", 256, digest);
            w.write(bytes);
            assertThat(w.commit(256, digest, Map.of()).alreadyExisted()).isTrue();
            assertThat(read(digest)).isEqualTo(bytes);
        }

        @Test
        void crossRefAppend_sharedContentPlusMore_makesANewBlobAndKeepsTheOld() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, LABELS);
            byte[] longer = Arrays.copyOf(bytes, 300);
            ContentWriter w = store.writer("append");
            w.write(longer);
            CommitResult r = w.commit(LABELS);
            assertThat(r.outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
            assertThat(read(digest)).isEqualTo(bytes);
            assertThat(read(r.digest())).isEqualTo(longer);
        }

        @Test
        void crossRefIsolate_newRefForExistingDigest_startsEmpty() throws IOException {
            byte[] bytes = newContent(256);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, LABELS);
            try (ContentWriter w = store.writer("isolated", 256, digest)) {
                assertThat(w.status().offset()).isZero();
                assertThat(w.digest()).isEqualTo(Digest.sha256(new byte[0]));
            }
        }

        @Test
        void sharedInstances_secondInstance_seesCommittedContentAndLocks() throws Exception {
            Optional<ContentStore> second = reopen(store);
            assumeTrue(second.isPresent(), "the store has no second instance over the same data");
            byte[] bytes = newContent(256);
            writeBlob(bytes, LABELS);
            assertThat(second.get().info(Digest.sha256(bytes))).isPresent();
            try (ContentWriter w = store.writer("shared-lock")) {
                w.write(bytes, 0, 5);
                assertThatThrownBy(() -> second.get().writer("shared-lock"))
                        .isInstanceOf(IngestLockedException.class);
            }
            try (ContentWriter w = second.get().writer("shared-lock")) {
                assertThat(w.status().offset()).isEqualTo(5);
            }
        }
    }

    // ------------------------------------------------------------------ beyond containerd's suite

    @Nested
    class Abort {
        @Test
        void abort_unknownRef_isNotFound() {
            assertThatThrownBy(() -> store.abort("nothing-here")).isInstanceOf(NotFoundException.class);
        }

        @Test
        void abort_closedIngest_removesItAndTheRefStartsOver() throws IOException {
            try (ContentWriter w = store.writer("to-abort")) {
                w.write(newContent(100));
            }
            store.abort("to-abort");
            assertThat(store.status("to-abort")).isEmpty();
            assertThat(store.statuses(s -> true)).isEmpty();
            try (ContentWriter w = store.writer("to-abort")) {
                assertThat(w.status().offset()).isZero();
            }
        }

        @Test
        void abort_openWriter_failsItsCommit() throws IOException {
            ContentWriter w = store.writer("active");
            w.write(newContent(10));
            store.abort("active");
            assertThat(store.status("active")).isEmpty();
            assertThatThrownBy(() -> w.commit(Map.of())).isInstanceOf(NotFoundException.class);
            assertThat(store.status("active")).isEmpty();
            assertThat(store.info(Digest.sha256(new byte[0]))).isEmpty();
        }
    }

    @Nested
    class Delete {
        @Test
        void delete_unknownDigest_isNotFound() {
            assertThatThrownBy(() -> store.delete(Digest.sha256("absent"))).isInstanceOf(NotFoundException.class);
        }

        @Test
        void delete_committedBlob_removesItAndItsLabels() throws IOException {
            byte[] bytes = newContent(50);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, LABELS);
            store.delete(digest);
            assertThat(store.info(digest)).isEmpty();
            assertThatThrownBy(() -> store.reader(digest)).isInstanceOf(NotFoundException.class);
            writeBlob(bytes, Map.of());
            assertThat(store.info(digest).orElseThrow().labels()).isEmpty();
        }

        @Test
        void delete_whileAReaderIsOpen_letsTheReaderFinish() throws IOException {
            byte[] bytes = newContent(10_000);
            Digest digest = Digest.sha256(bytes);
            writeBlob(bytes, Map.of());
            try (ContentReader reader = store.reader(digest)) {
                store.delete(digest);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                reader.stream(0).transferTo(out);
                assertThat(out.toByteArray()).isEqualTo(bytes);
            }
        }
    }

    @Nested
    class Walk {
        @Test
        void walk_manyBlobs_visitsExactlyThoseBlobs() throws IOException {
            Set<Digest> written = new HashSet<>();
            for (int i = 0; i < 79; i++) {
                byte[] bytes = newContent(1 + i * 7);
                writeBlob(bytes, Map.of());
                written.add(Digest.sha256(bytes));
            }
            try (ContentWriter w = store.writer("uncommitted")) {
                w.write(newContent(10)); // ingests are not blobs
            }
            Set<Digest> seen = new HashSet<>();
            store.walk(ContentLabels.all(), info -> assertThat(seen.add(info.digest())).isTrue());
            assertThat(seen).isEqualTo(written);
        }

        @Test
        void walk_labelFilters_selectMatchingBlobs() throws IOException {
            byte[] a = newContent(10);
            byte[] b = newContent(11);
            byte[] c = newContent(12);
            writeBlob(a, Map.of("role", "layer", ContentLabels.GC_ROOT, "now"));
            writeBlob(b, Map.of("role", "config"));
            writeBlob(c, Map.of());
            assertThat(walked(ContentLabels.hasLabel("role"))).containsExactlyInAnyOrder(
                    Digest.sha256(a), Digest.sha256(b));
            assertThat(walked(ContentLabels.labelEquals("role", "layer"))).containsExactly(Digest.sha256(a));
            assertThat(walked(ContentLabels.hasLabel(ContentLabels.GC_ROOT))).containsExactly(Digest.sha256(a));
            assertThat(walked(info -> info.size() == 12)).containsExactly(Digest.sha256(c));
            assertThat(walked(info -> info.digest().equals(Digest.sha256(b)))).containsExactly(Digest.sha256(b));
        }

        @Test
        void walk_consumerDeletesEverything_likeGc() throws IOException {
            for (int i = 0; i < 20; i++) {
                writeBlob(newContent(100 + i), i % 2 == 0 ? LABELS : Map.of());
            }
            List<Digest> deleted = new ArrayList<>();
            store.walk(ContentLabels.hasLabel(ContentLabels.GC_ROOT).negate(), info -> {
                try {
                    store.delete(info.digest());
                    deleted.add(info.digest());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(deleted).hasSize(10);
            assertThat(walked(ContentLabels.all())).hasSize(10);
        }

        @Test
        void walk_consumerThrows_endsTheWalk() throws IOException {
            writeBlob(newContent(5), Map.of());
            writeBlob(newContent(6), Map.of());
            IllegalStateException boom = new IllegalStateException("stop");
            int[] calls = new int[1];
            assertThatThrownBy(() -> store.walk(ContentLabels.all(), info -> {
                calls[0]++;
                throw boom;
            })).isSameAs(boom);
            assertThat(calls[0]).isEqualTo(1);
        }

        private List<Digest> walked(java.util.function.Predicate<ContentInfo> filter) throws IOException {
            List<Digest> result = new ArrayList<>();
            store.walk(filter, info -> result.add(info.digest()));
            return result;
        }
    }

    @Nested
    class Statuses {
        @Test
        void statuses_withFilter_listMatchingIngests() throws IOException {
            try (ContentWriter a = store.writer("layer-a"); ContentWriter b = store.writer("layer-b");
                 ContentWriter c = store.writer("manifest-c")) {
                a.write(new byte[1]);
                b.write(new byte[2]);
                c.write(new byte[3]);
            }
            assertThat(store.statuses(s -> s.ref().startsWith("layer-")))
                    .extracting(IngestStatus::ref, IngestStatus::offset)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("layer-a", 1L),
                            org.assertj.core.groups.Tuple.tuple("layer-b", 2L));
            assertThat(store.statuses(s -> true)).hasSize(3);
            assertThat(store.status("manifest-c")).map(IngestStatus::offset).contains(3L);
            assertThat(store.status("unknown")).isEmpty();
        }

        @Test
        void status_closedEmptyIngest_isListed() throws IOException {
            store.writer("myref").close();
            assertThat(store.statuses(s -> true)).singleElement().satisfies(s -> {
                assertThat(s.ref()).isEqualTo("myref");
                assertThat(s.offset()).isZero();
            });
        }

        @Test
        void status_uncommittedContent_isInvisibleToReaders() throws IOException {
            byte[] bytes = newContent(64);
            Digest digest = Digest.sha256(bytes);
            try (ContentWriter w = store.writer("invisible", 64, digest)) {
                w.write(bytes);
                assertThat(store.info(digest)).isEmpty();
                assertThatThrownBy(() -> store.reader(digest)).isInstanceOf(NotFoundException.class);
                assertThat(walkedCount()).isZero();
            }
            assertThat(store.info(digest)).isEmpty();
        }

        private int walkedCount() throws IOException {
            int[] n = new int[1];
            store.walk(ContentLabels.all(), info -> n[0]++);
            return n[0];
        }
    }

    @Nested
    class Verify {
        @Test
        void verify_intactBlob_passes() throws IOException {
            byte[] bytes = newContent(100_000);
            writeBlob(bytes, Map.of());
            store.verify(Digest.sha256(bytes));
            try (InputStream in = store.verifiedStream(Digest.sha256(bytes))) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
        }

        @Test
        void verify_unknownBlob_isNotFound() {
            assertThatThrownBy(() -> store.verify(Digest.sha256("nope"))).isInstanceOf(NotFoundException.class);
        }
    }

    @Nested
    class Concurrency {
        @Test
        void writer_sameRefFromManyThreads_exactlyOneHoldsIt() throws Exception {
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<ContentWriter>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        try {
                            return store.writer("contended");
                        } catch (IngestLockedException e) {
                            return null;
                        }
                    }));
                }
                start.countDown();
                List<ContentWriter> winners = new ArrayList<>();
                for (Future<ContentWriter> f : futures) {
                    ContentWriter w = f.get(30, TimeUnit.SECONDS);
                    if (w != null) {
                        winners.add(w);
                    }
                }
                holding.countDown();
                assertThat(winners).hasSize(1);
                winners.get(0).close();
                store.writer("contended").close(); // released by close
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void commit_sameContentUnderManyRefs_publishesOneBlobAndAllSucceed() throws Exception {
            int threads = 8;
            byte[] bytes = newContent(200_000);
            Digest digest = Digest.sha256(bytes);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<CommitResult>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String ref = "pull-" + i;
                    Callable<CommitResult> task = () -> {
                        start.await();
                        return ContentCopy.writeBlob(store, ref, new ByteArrayInputStream(bytes), bytes.length,
                                digest, LABELS);
                    };
                    futures.add(pool.submit(task));
                }
                start.countDown();
                int committed = 0;
                for (Future<CommitResult> f : futures) {
                    CommitResult r = f.get(60, TimeUnit.SECONDS);
                    assertThat(r.digest()).isEqualTo(digest);
                    if (!r.alreadyExisted()) {
                        committed++;
                    }
                }
                assertThat(committed).isEqualTo(1);
                assertThat(read(digest)).isEqualTo(bytes);
                assertThat(store.statuses(s -> true)).isEmpty();
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void openWriter_refHeldUntilTheHolderCommits_waitsThenFindsTheBlob() throws Exception {
            byte[] bytes = newContent(4096);
            Digest digest = Digest.sha256(bytes);
            ContentWriter first = store.writer("same-pull", bytes.length, digest);
            first.write(bytes, 0, 100);
            CompletableFuture<CommitResult> second = CompletableFuture.supplyAsync(() -> {
                try {
                    ContentWriter w = ContentCopy.openWriter(store, "same-pull", OptionalLong.of(bytes.length),
                            Optional.of(digest), Duration.ofSeconds(30));
                    return ContentCopy.copy(w, new ByteArrayInputStream(bytes), OptionalLong.of(bytes.length),
                            Optional.of(digest), Map.of());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            first.write(bytes, 100, bytes.length - 100);
            assertThat(first.commit(bytes.length, digest, LABELS).outcome())
                    .isEqualTo(CommitResult.Outcome.COMMITTED);
            CommitResult waited = second.get(30, TimeUnit.SECONDS);
            assertThat(waited.digest()).isEqualTo(digest);
            assertThat(read(digest)).isEqualTo(bytes);
        }

        @Test
        void openWriter_refHeldPastTheWait_isLocked() throws IOException {
            try (ContentWriter held = store.writer("held-long")) {
                assertThatThrownBy(() -> ContentCopy.openWriter(store, "held-long", OptionalLong.empty(),
                        Optional.empty(), Duration.ofMillis(50))).isInstanceOf(IngestLockedException.class);
                held.write(new byte[1]);
            }
        }

        @Test
        void reader_duringCommits_seesNothingOrTheWholeBlob() throws Exception {
            byte[] bytes = newContent(500_000);
            Digest digest = Digest.sha256(bytes);
            CompletableFuture<CommitResult> commit = CompletableFuture.supplyAsync(() -> {
                try {
                    return writeBlob(bytes, Map.of());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try (ContentReader reader = store.reader(digest)) {
                    assertThat(reader.size()).isEqualTo(bytes.length);
                    break;
                } catch (NotFoundException e) {
                    if (commit.isDone()) {
                        commit.join();
                    }
                    Thread.onSpinWait();
                }
            }
            commit.get(30, TimeUnit.SECONDS);
            assertThat(read(digest)).isEqualTo(bytes);
        }
    }

    // ------------------------------------------------------------------ a second JVM

    @Nested
    class CrossProcess {
        @Test
        void writer_refHeldByAnotherProcess_isLockedUntilItCloses() throws Exception {
            ChildJvm child = requireChildJvm();
            long seed = SEED.getAndIncrement();
            Process process = startChild(child, "hold", "cross-process", 1000, seed);
            try {
                awaitReady(process);
                assertThatThrownBy(() -> store.writer("cross-process"))
                        .isInstanceOf(IngestLockedException.class)
                        .hasMessageContaining("cross-process");
                process.getOutputStream().close(); // lets the child close its writer and exit
                assertThat(process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isZero();
            } finally {
                process.destroyForcibly();
            }
            byte[] bytes = content(seed, 1000);
            ContentWriter w = store.writer("cross-process");
            assertThat(w.status().offset()).isEqualTo(1000);
            assertThat(w.digest()).isEqualTo(Digest.sha256(bytes));
            assertThat(w.commit(Map.of()).digest()).isEqualTo(Digest.sha256(bytes));
        }

        @Test
        void writer_afterTheWritingProcessCrashed_resumesAtTheWrittenOffset() throws Exception {
            ChildJvm child = requireChildJvm();
            long seed = SEED.getAndIncrement();
            int written = 300_000;
            Process process = startChild(child, "crash", "crashed", written, seed);
            try {
                awaitReady(process);
                assertThat(process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isEqualTo(137);
            } finally {
                process.destroyForcibly();
            }
            byte[] full = content(seed, written + 1000); // the same prefix, then more
            byte[] prefix = Arrays.copyOf(full, written);
            assertThat(store.status("crashed")).map(IngestStatus::offset).contains((long) written);
            ContentWriter w = store.writer("crashed");
            assertThat(w.digest()).isEqualTo(Digest.sha256(prefix));
            w.write(full, written, 1000);
            CommitResult r = w.commit(full.length, Digest.sha256(full), Map.of());
            assertThat(r.outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
            assertThat(read(r.digest())).isEqualTo(full);
        }

        private ChildJvm requireChildJvm() {
            Optional<ChildJvm> child = childJvm();
            assumeTrue(child.isPresent(), "the store cannot be opened from a second JVM");
            return child.get();
        }

        private Process startChild(ChildJvm child, String mode, String ref, int bytes, long seed) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    ContentStoreChild.class.getName(), child.opener().getName(), child.root().toString(), mode, ref,
                    Integer.toString(bytes), Long.toString(seed));
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }

        private void awaitReady(Process process) throws Exception {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(line.get(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ContentStoreChild.READY);
        }
    }

    /** A read-only seekable channel over a byte array, the Java analogue of Go's {@code io.ReadSeeker}. */
    private static final class ByteArrayChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private long position;
        private boolean open = true;

        ByteArrayChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = newPosition;
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

}
