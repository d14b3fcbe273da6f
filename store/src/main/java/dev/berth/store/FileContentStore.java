package dev.berth.store;

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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link ContentStore} on a directory, in containerd's "local" layout, so it can open the
 * {@code plugins/storage} directory of a Docker daemon and read its blobs (and Docker can read blobs
 * Berth commits).
 *
 * <pre>
 * &lt;root&gt;/blobs/&lt;alg&gt;/&lt;hex&gt;              committed blobs, read-only, named by their digest
 * &lt;root&gt;/ingest/&lt;sha256(ref)&gt;/ref        the ingest's ref          (containerd)
 *                               data       the bytes written so far  (containerd)
 *                               startedat  RFC 3339 time             (containerd)
 *                               updatedat  RFC 3339 time             (containerd)
 *                               total      expected size, decimal    (containerd; only when known)
 *                               expected   expected digest           (Berth)
 *                               lock       the cross-process lock    (Berth)
 * &lt;root&gt;/labels/&lt;alg&gt;/&lt;hex&gt;             created/updated times and labels of a blob (Berth)
 * </pre>
 *
 * <p><b>Labels.</b> containerd keeps labels in its bolt metadata database, not in this layout. Berth
 * keeps them, with the blob's creation and update times, in a side file per blob under
 * {@code labels/}, replaced atomically (write a temporary file, fsync, rename, fsync the directory).
 * A blob committed without labels gets no side file; a blob without one (including those Docker
 * wrote) has no labels and its file's modification time, set to the commit time as containerd does,
 * as both times. containerd ignores {@code labels/}.
 *
 * <p><b>Durability.</b> Commit fsyncs the ingest data, verifies size and digest, writes the side file,
 * renames the data to its blob path atomically, fsyncs the blob directory and makes the blob
 * read-only. The ingest's small metadata files are replaced atomically but not synced: losing one in
 * a power cut only makes that ingest start over. A crash at any instant leaves either no blob or a complete verified one; the ingest
 * survives a crash before the rename and is resumed by reopening its ref (its data is re-hashed, as
 * containerd does) or removed by {@link #abort}. Ingests not updated for longer than the
 * {@linkplain Builder#staleIngestAge(Duration) stale age} are swept when the store is opened, and so
 * are, at any age, the dead ones that no writer could resume: without a ref or data file (a commit
 * stopped between publishing the blob and removing its ingest) or whose expected blob is committed.
 * Ingests held by a writer, in this or another process, are never swept.
 *
 * <p><b>Locking.</b> A writer holds its ref in this instance and through an OS file lock on the
 * ingest's {@code lock} file, so writers on the same ref exclude each other across threads, store
 * instances and processes (containerd only locks within one process). {@link #abort} of a ref that a
 * writer of this instance holds fails that writer; of a ref held elsewhere, it is refused with
 * {@link IngestLockedException}. Open one instance per root per process: a second one works but sees
 * the first's refs only as locked. Label updates are serialized within this instance; across
 * processes the last writer wins.
 *
 * <p><b>Integrity.</b> Readers serve the bytes as stored. {@link #verify} and {@link #verifiedStream}
 * re-hash a blob and report a corrupted one as a {@link DigestMismatchException}.
 *
 * <p>Thread-safe. Works on any {@link java.nio.file.FileSystem}, including in-memory ones such as
 * Jimfs (where the file lock only matters within the process).
 *
 * <p>One class, although long, because every operation touches the same on-disk layout and the same
 * ingest locks; the crash-safety of commit, abort and sweep depends on their exact interleaving, which
 * is easier to check when it is in one place.
 */
public final class FileContentStore implements ContentStore {
    static final String LOCK = "lock";
    private static final String BLOBS = "blobs";
    private static final String INGEST = "ingest";
    private static final String LABELS = "labels";
    private static final String REF = "ref";
    private static final String DATA = "data";
    private static final String STARTED_AT = "startedat";
    private static final String UPDATED_AT = "updatedat";
    private static final String TOTAL = "total";
    private static final String EXPECTED = "expected";
    private static final String TMP_SUFFIX = ".tmp";
    private static final List<String> ALGORITHMS = List.of(Digest.SHA256, Digest.SHA512);
    private static final Logger LOG = LoggerFactory.getLogger(FileContentStore.class);

    private final Path root;
    private final Path blobs;
    private final Path ingest;
    private final Path labels;
    private final Clock clock;
    private final Duration staleIngestAge;
    private final Consumer<String> failpoint;
    /** Writers open in this instance, by ref: the in-process half of the ingest lock. */
    private final Map<String, FileWriter> writers = new ConcurrentHashMap<>();
    /** Serializes publishing and side-file updates within this instance. */
    private final Object metadataLock = new Object();

    private FileContentStore(Builder b) {
        this.root = b.root;
        this.blobs = root.resolve(BLOBS);
        this.ingest = root.resolve(INGEST);
        this.labels = root.resolve(LABELS);
        this.clock = b.clock;
        this.staleIngestAge = b.staleIngestAge;
        this.failpoint = b.failpoint;
    }

    /**
     * Opens (creating it if needed) a store at {@code root} with the defaults: the system clock and a
     * stale-ingest age of one day.
     *
     * @throws IOException if the directories cannot be created or the sweep fails
     */
    public static FileContentStore open(Path root) throws IOException {
        return builder(root).open();
    }

    /** A builder for a store at {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(Objects.requireNonNull(root, "root"));
    }

    /** Options of a {@link FileContentStore}. Not thread-safe. */
    public static final class Builder {
        private final Path root;
        private Clock clock = Clock.systemUTC();
        private Duration staleIngestAge = Duration.ofDays(1);
        private Consumer<String> failpoint = KillPoint.fromProperty();

        private Builder(Path root) {
            this.root = root;
        }

        /** The clock stamping blobs and ingests, and judging staleness. Default: the system UTC clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Ingests whose last update is older than this when the store is opened are removed (unless a
         * writer holds them). Default: one day. Must be positive.
         */
        public Builder staleIngestAge(Duration value) {
            Objects.requireNonNull(value, "staleIngestAge");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("staleIngestAge must be positive: " + value);
            }
            this.staleIngestAge = value;
            return this;
        }

        /**
         * Called with the name of each commit step as it is reached, so crash tests can halt the JVM
         * between two steps. Package-private: a test hook, not an option.
         */
        Builder failpoint(Consumer<String> value) {
            this.failpoint = Objects.requireNonNull(value, "failpoint");
            return this;
        }

        /**
         * Creates the layout's directories if needed (the root with owner-only permissions where the
         * file system has POSIX permissions), sweeps stale ingests and returns the store.
         */
        public FileContentStore open() throws IOException {
            FileContentStore store = new FileContentStore(this);
            store.init();
            return store;
        }
    }

    /** The store's root directory. */
    public Path root() {
        return root;
    }

    private void init() throws IOException {
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            PosixFileAttributeView view = Files.getFileAttributeView(root, PosixFileAttributeView.class);
            if (view != null) {
                view.setPermissions(PosixFilePermissions.fromString("rwx------"));
            }
        }
        // The default algorithm's directories exist from the start, so that writing and then deleting
        // a blob leaves the store's tree exactly as it was.
        Files.createDirectories(blobs.resolve(Digest.SHA256));
        Files.createDirectories(ingest);
        // labels/ is created by the first labelled commit, so a Docker store stays as Docker left it.
        sweepIngests();
        sweepTemporaryLabels();
    }

    // ------------------------------------------------------------------ provider

    @Override
    public ContentReader reader(Digest digest) throws IOException {
        Path path = blobPath(digest);
        try {
            // A blob is a regular file; anything else in its place (a symlink, a directory) is not served.
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                throw new NotFoundException("content " + digest + " not found (not a regular file)");
            }
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        }
        try {
            return new FileReader(channel, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static final class FileReader implements ContentReader {
        private final FileChannel channel;
        private final long size;

        FileReader(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int readAt(ByteBuffer dst, long position) throws IOException {
            if (position < 0) {
                throw new IllegalArgumentException("negative position " + position);
            }
            if (position >= size) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            // Never read past the size seen at open, even if the file grew (it should not: it is read-only).
            long left = size - position;
            ByteBuffer target = dst.remaining() > left ? dst.slice().limit((int) left) : dst;
            int n = channel.read(target, position);
            if (target != dst && n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    // ------------------------------------------------------------------ ingester

    @Override
    public ContentWriter writer(String ref, OptionalLong expectedSize, Optional<Digest> expectedDigest)
            throws IOException {
        checkRef(ref);
        Objects.requireNonNull(expectedSize, "expectedSize");
        Objects.requireNonNull(expectedDigest, "expectedDigest");
        if (expectedSize.isPresent() && expectedSize.getAsLong() < 0) {
            throw new InvalidParameterException("expected size of " + ref + " is negative: " + expectedSize.getAsLong());
        }
        FileWriter placeholder = new FileWriter(ref, clock.instant());
        FileWriter holder = writers.putIfAbsent(ref, placeholder);
        if (holder != null) {
            throw new IngestLockedException(ref, "for " + Duration.between(holder.lockedSince, clock.instant())
                    + " (since " + holder.lockedSince + ")");
        }
        try {
            placeholder.open(ingestDir(ref), expectedSize, expectedDigest);
            return placeholder;
        } catch (IOException | RuntimeException | Error e) {
            placeholder.discardUnstarted(e);
            writers.remove(ref, placeholder);
            placeholder.closeQuietly();
            throw e;
        }
    }

    private final class FileWriter implements ContentWriter {
        private final String ref;
        private final Instant lockedSince;
        private Path dir;
        private IngestLock lock;
        private FileChannel data;
        private Digester digester;
        private long offset;
        private OptionalLong total = OptionalLong.empty();
        private Optional<Digest> expected = Optional.empty();
        private Instant startedAt;
        private Instant updatedAt;
        private boolean closed;
        private volatile boolean aborted;

        FileWriter(String ref, Instant lockedSince) {
            this.ref = ref;
            this.lockedSince = lockedSince;
        }

        void open(Path dir, OptionalLong wantTotal, Optional<Digest> wantExpected) throws IOException {
            this.dir = dir;
            this.lock = IngestLock.acquire(dir, ref, true);
            Optional<IngestStatus> existing = readStatus(dir, ref);
            boolean resume = existing.isPresent()
                    && (wantTotal.isEmpty() || existing.get().total().equals(wantTotal))
                    && (wantExpected.isEmpty() || existing.get().expected().equals(wantExpected))
                    && (wantTotal.isEmpty() || existing.get().offset() <= wantTotal.getAsLong());
            this.data = FileChannel.open(dir.resolve(DATA), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (resume) {
                IngestStatus s = existing.get();
                total = s.total();
                expected = s.expected();
                startedAt = s.startedAt();
                updatedAt = s.updatedAt();
                digester = Digester.of(algorithm());
                // containerd's way: re-hash what is there (a digest's state cannot be persisted).
                offset = hashChannel(data, data.size(), digester);
                data.position(offset);
            } else {
                total = wantTotal;
                expected = wantExpected;
                startedAt = clock.instant();
                updatedAt = startedAt;
                digester = Digester.of(algorithm());
                offset = 0;
                // The ref file is written last: an ingest directory without it is an unfinished reset.
                Files.deleteIfExists(dir.resolve(REF));
                data.truncate(0);
                data.position(0);
                writeSmallFile(dir.resolve(STARTED_AT), startedAt.toString());
                writeSmallFile(dir.resolve(UPDATED_AT), updatedAt.toString());
                if (total.isPresent() && total.getAsLong() > 0) {
                    writeSmallFile(dir.resolve(TOTAL), Long.toString(total.getAsLong()));
                } else {
                    Files.deleteIfExists(dir.resolve(TOTAL));
                }
                if (expected.isPresent()) {
                    writeSmallFile(dir.resolve(EXPECTED), expected.get().toString());
                } else {
                    Files.deleteIfExists(dir.resolve(EXPECTED));
                }
                writeSmallFile(dir.resolve(REF), ref);
            }
        }

        private String algorithm() {
            return expected.map(Digest::algorithm).orElse(Digest.SHA256);
        }

        @Override
        public String ref() {
            return ref;
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int length) throws IOException {
            Objects.checkFromIndexSize(off, length, bytes.length);
            checkUsable();
            long after = offset + length;
            if (total.isPresent() && after > total.getAsLong()) {
                throw new SizeMismatchException("ingest " + ref, total.getAsLong(), after);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes, off, length);
            while (buffer.hasRemaining()) {
                data.write(buffer);
            }
            digester.update(bytes, off, length);
            offset = after;
            updatedAt = clock.instant();
        }

        @Override
        public synchronized Optional<Digester> resumeState() {
            return Optional.of(digester.copy());
        }

        @Override
        public synchronized Digest digest() {
            return digester.digest();
        }

        @Override
        public synchronized IngestStatus status() {
            return new IngestStatus(ref, offset, total, expected, startedAt, updatedAt);
        }

        @Override
        public synchronized void truncate(long size) throws IOException {
            if (size != 0) {
                throw new IllegalArgumentException("only truncate(0) is supported, not " + size);
            }
            checkUsable();
            data.truncate(0);
            data.position(0);
            offset = 0;
            digester = Digester.of(algorithm());
            updatedAt = clock.instant();
        }

        @Override
        public synchronized CommitResult commit(OptionalLong expectedSize, Optional<Digest> expectedDigest,
                                                Map<String, String> newLabels) throws IOException {
            Objects.requireNonNull(expectedSize, "expectedSize");
            Objects.requireNonNull(expectedDigest, "expectedDigest");
            boolean done = false;
            try {
                Map<String, String> checked = ContentLabels.validate(newLabels);
                checkUsable();
                String subject = "ingest " + ref;
                for (OptionalLong want : List.of(expectedSize, total)) {
                    if (want.isPresent() && want.getAsLong() != offset) {
                        throw new SizeMismatchException(subject, want.getAsLong(), offset);
                    }
                }
                // The bytes must be on disk before the rename makes them a blob.
                data.force(true);
                failpoint.accept("data-synced");
                Digest actual = digester.digest();
                for (Optional<Digest> want : List.of(expectedDigest, expected)) {
                    if (want.isPresent()) {
                        Digest got = actual;
                        if (!want.get().algorithm().equals(actual.algorithm())) {
                            Digester other = Digester.of(want.get().algorithm());
                            hashChannel(data, offset, other);
                            got = other.digest();
                        }
                        if (!got.equals(want.get())) {
                            throw new DigestMismatchException(subject, want.get(), got);
                        }
                    }
                }
                Digest name = expectedDigest.or(() -> expected).orElse(actual);
                data.close();
                Path target = blobPath(name);
                synchronized (metadataLock) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        deleteIngest(dir);
                        done = true;
                        return new CommitResult(CommitResult.Outcome.ALREADY_EXISTS, name, offset);
                    }
                    Files.createDirectories(target.getParent());
                    Instant now = clock.instant();
                    if (checked.isEmpty()) {
                        // No side file: info() falls back to the blob's modification time, set below
                        // to the commit time as containerd does. Drop any orphan from a crashed commit.
                        Files.deleteIfExists(infoPath(name));
                    } else {
                        // Labels first: a blob is never visible without them. A crash in between leaves
                        // a side file without a blob, which the next commit of that digest replaces.
                        writeInfo(name, new BlobInfoFile.Contents(now, now, checked));
                    }
                    failpoint.accept("labels-written");
                    Files.setLastModifiedTime(dir.resolve(DATA), FileTime.from(now));
                    Files.move(dir.resolve(DATA), target, StandardCopyOption.ATOMIC_MOVE);
                    failpoint.accept("renamed");
                    fsyncDirectory(target.getParent());
                    makeReadOnly(target);
                    failpoint.accept("published");
                }
                deleteIngest(dir);
                failpoint.accept("ingest-removed");
                done = true;
                return new CommitResult(CommitResult.Outcome.COMMITTED, name, offset);
            } finally {
                if (!done) {
                    persistUpdatedAt();
                }
                release();
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            try {
                if (!aborted && data != null && data.isOpen()) {
                    data.force(false);
                    persistUpdatedAt();
                }
            } finally {
                release();
            }
        }

        private void persistUpdatedAt() {
            if (aborted || dir == null || updatedAt == null || !Files.isDirectory(dir)) {
                return;
            }
            try {
                writeSmallFile(dir.resolve(UPDATED_AT), updatedAt.toString());
            } catch (IOException e) {
                LOG.debug("could not record the update time of ingest {}", ref, e);
            }
        }

        private void release() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (data != null) {
                    data.close();
                }
            } finally {
                try {
                    if (lock != null) {
                        lock.close();
                    }
                } finally {
                    writers.remove(ref, this);
                }
            }
        }

        void closeQuietly() {
            try {
                release();
            } catch (IOException e) {
                LOG.debug("closing writer {} after a failed open", ref, e);
            }
        }

        /**
         * After a failed {@link #open}: deletes the ingest when this writer holds its lock and it has no
         * ref (this open was setting it up, or it was already dead), so that no caller, none of whom
         * sees it listed, is left to abort it. An interrupt fails an open this way: it closes the
         * channels between the directory's creation and the ref's.
         */
        void discardUnstarted(Throwable cause) {
            if (lock == null || dir == null || Files.exists(dir.resolve(REF), LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try {
                if (data != null) {
                    data.close();
                }
                deleteIngest(dir);
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }

        void markAborted() {
            aborted = true;
        }

        private void checkUsable() {
            if (closed) {
                throw new IllegalStateException("writer for " + ref + " is closed");
            }
            if (aborted) {
                throw new NotFoundException("ingest " + ref + " was aborted");
            }
        }
    }

    // ------------------------------------------------------------------ ingest manager

    @Override
    public Optional<IngestStatus> status(String ref) throws IOException {
        checkRef(ref);
        FileWriter open = writers.get(ref);
        if (open != null && open.data != null && !open.aborted) {
            return Optional.of(open.status());
        }
        return readStatus(ingestDir(ref), ref);
    }

    @Override
    public List<IngestStatus> statuses(Predicate<? super IngestStatus> filter) throws IOException {
        Objects.requireNonNull(filter, "filter");
        List<IngestStatus> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ingest)) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Optional<String> ref = readSmallFile(dir.resolve(REF));
                if (ref.isEmpty() || !dir.equals(ingestDir(ref.get()))) {
                    continue; // unfinished, foreign or damaged
                }
                Optional<IngestStatus> s = status(ref.get());
                if (s.isPresent() && filter.test(s.get())) {
                    result.add(s.get());
                }
            }
        }
        return result;
    }

    @Override
    public void abort(String ref) throws IOException {
        checkRef(ref);
        Path dir = ingestDir(ref);
        FileWriter open = writers.get(ref);
        if (open != null) {
            // Our own writer holds the file lock: fail it and remove the files under it.
            if (!Files.isDirectory(dir)) {
                throw new NotFoundException("ingest " + ref + " not found");
            }
            open.markAborted();
            deleteIngest(dir);
            return;
        }
        IngestLock lock = IngestLock.acquire(dir, ref, false);
        try {
            deleteIngest(dir);
        } finally {
            lock.close();
        }
    }

    // ------------------------------------------------------------------ manager

    @Override
    public Optional<ContentInfo> info(Digest digest) throws IOException {
        Path path = blobPath(digest);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!attrs.isRegularFile()) {
            return Optional.empty();
        }
        Optional<BlobInfoFile.Contents> side = readInfo(digest);
        Instant mtime = attrs.lastModifiedTime().toInstant();
        return Optional.of(new ContentInfo(digest, attrs.size(),
                side.map(BlobInfoFile.Contents::createdAt).orElse(mtime),
                side.map(BlobInfoFile.Contents::updatedAt).orElse(mtime),
                side.map(BlobInfoFile.Contents::labels).orElse(Map.of())));
    }

    @Override
    public ContentInfo replaceLabels(Digest digest, Map<String, String> newLabels) throws IOException {
        Map<String, String> checked = ContentLabels.validate(newLabels);
        return changeLabels(digest, old -> checked);
    }

    @Override
    public ContentInfo updateLabels(Digest digest, Map<String, String> changes) throws IOException {
        Map<String, String> checked = ContentLabels.validate(changes);
        return changeLabels(digest, old -> {
            Map<String, String> merged = new HashMap<>(old);
            checked.forEach((k, v) -> {
                if (v.isEmpty()) {
                    merged.remove(k);
                } else {
                    merged.put(k, v);
                }
            });
            return merged;
        });
    }

    private ContentInfo changeLabels(Digest digest,
                                     java.util.function.UnaryOperator<Map<String, String>> change) throws IOException {
        synchronized (metadataLock) {
            ContentInfo info = info(digest).orElseThrow(() -> notFound(digest));
            Map<String, String> next = ContentLabels.validate(change.apply(info.labels()));
            Instant now = clock.instant();
            writeInfo(digest, new BlobInfoFile.Contents(info.createdAt(), now, next));
            return new ContentInfo(digest, info.size(), info.createdAt(), now, next);
        }
    }

    @Override
    public void walk(Predicate<? super ContentInfo> filter, Consumer<? super ContentInfo> consumer)
            throws IOException {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(consumer, "consumer");
        for (String algorithm : ALGORITHMS) {
            Path dir = blobs.resolve(algorithm);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String hex = file.getFileName().toString();
                    Digest digest;
                    try {
                        digest = new Digest(algorithm, hex);
                    } catch (IllegalArgumentException e) {
                        continue; // a README, a temp file, a wrong-length name: not a blob
                    }
                    Optional<ContentInfo> info = info(digest); // empty if deleted meanwhile or not a file
                    if (info.isPresent() && filter.test(info.get())) {
                        consumer.accept(info.get());
                    }
                }
            }
        }
    }

    @Override
    public void delete(Digest digest) throws IOException {
        Path path = blobPath(digest);
        synchronized (metadataLock) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound(digest);
            }
            // Labels first: a crash in between leaves a blob without labels (it was being deleted
            // anyway), never labels that a later commit of the same digest would inherit.
            Files.deleteIfExists(infoPath(digest));
            try {
                Files.delete(path);
            } catch (NoSuchFileException e) {
                throw notFound(digest);
            }
        }
    }

    // ------------------------------------------------------------------ files

    private Path blobPath(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        // Digest's constructor admits only sha256/sha512 and lower-case hex of the exact length, so the
        // path cannot leave blobs/.
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    private Path infoPath(Digest digest) {
        return labels.resolve(digest.algorithm()).resolve(digest.hex());
    }

    private Path ingestDir(String ref) {
        // Hashing the ref keeps any string (../x, a/b, 10 KB) a single fixed-length name.
        return ingest.resolve(Digest.sha256(ref).hex());
    }

    private Optional<BlobInfoFile.Contents> readInfo(Digest digest) throws IOException {
        Path path = infoPath(digest);
        try {
            if (Files.size(path) > BlobInfoFile.MAX_BYTES) {
                LOG.warn("ignoring oversized label file {}", path);
                return Optional.empty();
            }
            Optional<BlobInfoFile.Contents> contents = BlobInfoFile.decode(Files.readAllBytes(path));
            if (contents.isEmpty()) {
                LOG.warn("ignoring malformed label file {}", path);
            }
            return contents;
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void writeInfo(Digest digest, BlobInfoFile.Contents contents) throws IOException {
        Path path = infoPath(digest);
        Files.createDirectories(path.getParent());
        Path tmp = path.resolveSibling(path.getFileName() + "." + UUID.randomUUID() + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(BlobInfoFile.encode(contents));
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(path.getParent());
    }

    /** Reads a status from the files of an ingest directory; empty if it is missing or damaged. */
    private Optional<IngestStatus> readStatus(Path dir, String ref) throws IOException {
        Optional<String> storedRef = readSmallFile(dir.resolve(REF));
        if (storedRef.isEmpty() || !storedRef.get().equals(ref)) {
            return Optional.empty();
        }
        try {
            long size = Files.size(dir.resolve(DATA));
            Optional<String> totalText = readSmallFile(dir.resolve(TOTAL));
            OptionalLong total = totalText.isEmpty() || totalText.get().isBlank() ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(totalText.get().trim()));
            Optional<Digest> expected = readSmallFile(dir.resolve(EXPECTED)).map(s -> Digest.parse(s.trim()));
            Instant startedAt = parseTime(readSmallFile(dir.resolve(STARTED_AT)));
            Instant updatedAt = parseTime(readSmallFile(dir.resolve(UPDATED_AT)));
            if (total.isPresent() && total.getAsLong() < 0) {
                return Optional.empty();
            }
            return Optional.of(new IngestStatus(ref, size, total, expected, startedAt, updatedAt));
        } catch (NoSuchFileException | NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a damaged expected digest
        }
    }

    private static Instant parseTime(Optional<String> text) {
        // containerd writes RFC 3339 with the local offset; an empty or missing file is the zero time.
        if (text.isEmpty() || text.get().isBlank()) {
            return Instant.EPOCH;
        }
        return OffsetDateTime.parse(text.get().trim()).toInstant();
    }

    private static Optional<String> readSmallFile(Path path) throws IOException {
        try {
            if (Files.size(path) > 64 * 1024) {
                return Optional.empty();
            }
            return Optional.of(new String(Files.readAllBytes(path), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes {@code X.tmp} and renames it over {@code X}, so a reader never sees half a file. Unlike
     * containerd this does not sync: the ingest's metadata files are hints whose loss in a power cut
     * only makes the ingest start over (the ref file is written last and checked first), and each
     * sync costs milliseconds per blob.
     */
    private static void writeSmallFile(Path path, String text) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long hashChannel(FileChannel channel, long length, Digester digester) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        while (position < length) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), length - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            digester.update(buffer.array(), 0, n);
            position += n;
        }
        return position;
    }

    private void deleteIngest(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // The ref file first (the ingest stops being listed), the lock file last (see IngestLock).
        Files.deleteIfExists(dir.resolve(REF));
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = new ArrayList<>(list.toList());
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString().equals(LOCK)));
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            LOG.debug("ingest directory {} refilled while being removed", dir);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms and in-memory file systems cannot open a directory; the rename is still atomic.
            LOG.trace("cannot fsync directory {}", dir, e);
        }
    }

    private static void makeReadOnly(Path path) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(view.readAttributes().permissions());
            perms.removeAll(EnumSet.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
            view.setPermissions(perms);
        }
    }

    private void sweepIngests() throws IOException {
        Instant cutoff = clock.instant().minus(staleIngestAge);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ingest)) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Instant updated;
                boolean stale;
                try {
                    updated = lastUpdate(dir);
                    stale = updated.isBefore(cutoff);
                    if (!stale && deadReason(dir).isEmpty()) {
                        continue;
                    }
                } catch (NoSuchFileException gone) {
                    // another process committed or aborted it between the listing and now
                    continue;
                }
                IngestLock lock;
                try {
                    lock = IngestLock.acquire(dir, dir.getFileName().toString(), false);
                } catch (IngestLockedException | NotFoundException e) {
                    LOG.debug("stale or dead ingest {} is in use or gone", dir.getFileName());
                    continue;
                }
                try {
                    // Judged again under the lock: a writer that held it may have finished meanwhile.
                    Optional<String> dead = stale ? Optional.empty() : deadReason(dir);
                    if (stale || dead.isPresent()) {
                        deleteIngest(dir);
                        LOG.info("removed {} ingest {} ({})", stale ? "stale" : "dead", dir.getFileName(),
                                stale ? "last updated " + updated : dead.get());
                    }
                } finally {
                    lock.close();
                }
            }
        }
    }

    /**
     * Why an ingest can never be resumed, if it cannot: it has no ref or no data (a commit was
     * interrupted after publishing its data as the blob and before removing the ingest, or a writer
     * was interrupted while setting the ingest up), or its expected blob is already committed. Asked
     * with the ingest's lock held, so that no writer is between those steps. Such an ingest would
     * otherwise stay until the stale age.
     */
    private Optional<String> deadReason(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(REF), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("no ref");
        }
        if (!Files.isRegularFile(dir.resolve(DATA), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("no data");
        }
        try {
            Optional<Digest> expected = readSmallFile(dir.resolve(EXPECTED)).map(t -> Digest.parse(t.trim()));
            if (expected.isPresent() && Files.exists(blobPath(expected.get()), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of("blob " + expected.get() + " already committed");
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a damaged expected digest: the writer that reopens it resets it
        }
        return Optional.empty();
    }

    private static Instant lastUpdate(Path dir) throws IOException {
        // updatedat is only written when a writer closes, so after a crash the data file's time is
        // the better witness; take the later of the two.
        Instant recorded = Instant.EPOCH;
        try {
            recorded = parseTime(readSmallFile(dir.resolve(UPDATED_AT)));
        } catch (DateTimeParseException e) {
            LOG.debug("unreadable updatedat in ingest {}", dir.getFileName());
        }
        Path data = dir.resolve(DATA);
        Path basis = Files.exists(data) ? data : dir;
        Instant modified = Files.getLastModifiedTime(basis).toInstant();
        return modified.isAfter(recorded) ? modified : recorded;
    }

    private void sweepTemporaryLabels() throws IOException {
        for (String algorithm : ALGORITHMS) {
            Path dir = labels.resolve(algorithm);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TMP_SUFFIX)) {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
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
