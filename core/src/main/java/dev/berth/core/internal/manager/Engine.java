package dev.berth.core.internal.manager;

import dev.berth.content.ContentStore;
import dev.berth.core.internal.event.EventHub;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.event.PluginEvent;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.ReadOnlyException;
import dev.berth.exception.SystemException;
import dev.berth.oci.Digest;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import dev.berth.progress.ProgressStatus;
import dev.berth.remote.RegistryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * What every operation of one manager shares: the root and its in-memory table, the content store and
 * the blobs pinned in it, the locks (one per plugin, and the GC lock that excludes blob deletion from
 * every operation that writes blobs), the registry, and where events and progress go. Operations take
 * the engine and ask it for what they need; the engine itself performs no operation. Thread-safe.
 */
public final class Engine {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PluginRoot root;
    private final ContentStore store;
    private final RegistryResolver resolver;
    private final Optional<Platform> platform;
    private final EventHub events;
    private final ProgressListener progress;
    private final Supplier<String> idGenerator;
    private final Clock clock;
    private final boolean readOnly;
    private final int downloadConcurrency;
    private final Transfers transfers = new Transfers();

    private final PluginTable table = new PluginTable();
    private final BlobPins pins = new BlobPins();
    private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<String, ReentrantLock> pluginLocks = new ConcurrentHashMap<>();
    private volatile Optional<PluginSupervisor> supervisor = Optional.empty();
    private volatile boolean closed;

    /** An engine over an opened root. */
    public Engine(PluginRoot root, ContentStore store, RegistryResolver resolver, Optional<Platform> platform,
                  EventHub events, ProgressListener progress, Supplier<String> idGenerator,
                  Clock clock, boolean readOnly, int downloadConcurrency) {
        this.root = Objects.requireNonNull(root, "root");
        this.store = Objects.requireNonNull(store, "store");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.events = Objects.requireNonNull(events, "events");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.idGenerator = Objects.requireNonNull(idGenerator, "idGenerator");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.readOnly = readOnly;
        this.downloadConcurrency = downloadConcurrency;
    }

    /**
     * Runs {@code work} on every item, at most {@code concurrency} at once; see {@link Transfers#each}.
     */
    public <T> void inParallel(List<T> items, int concurrency, java.util.function.Consumer<T> work) {
        transfers.each(items, concurrency, work);
    }

    /** The plugin root on disk. */
    public PluginRoot root() {
        return root;
    }

    /** The content store. Operations keep to the narrowest part of it they use. */
    public ContentStore store() {
        return store;
    }

    /** The registry. */
    public RegistryResolver resolver() {
        return resolver;
    }

    /** The records, by name and ID, with reservations and reference counts. */
    public PluginTable table() {
        return table;
    }

    /** Blobs in use by running operations, which neither GC nor an undo may delete. */
    public BlobPins pins() {
        return pins;
    }

    /**
     * Read-locked by every operation that writes or reads blobs; write-locked by GC. An operation that
     * also holds a plugin's lock ({@link #lockFor}) takes that first and this second: the reverse order
     * deadlocks with one that does, as soon as a GC waits for the write lock.
     */
    public ReentrantReadWriteLock gcLock() {
        return gcLock;
    }

    /** The clock that stamps events. */
    public Clock clock() {
        return clock;
    }

    /** The supervisor, when the manager has a runtime. */
    public Optional<PluginSupervisor> supervisor() {
        return supervisor;
    }

    /** Sets the supervisor once, after the operations it reports to exist. */
    public void supervisor(PluginSupervisor value) {
        supervisor = Optional.of(value);
    }

    /** A pull that writes through {@code blobs}, selecting the manager's platform from indexes. */
    public Pull pull(BlobWork blobs) {
        return pull(blobs, resolver);
    }

    /** A pull from {@code source} instead of the manager's resolver (an OCI archive, say), writing through {@code blobs}. */
    public Pull pull(BlobWork blobs, RegistryResolver source) {
        return new Pull(source, this::progress, platform, blobs, this::checkCancelled, downloadConcurrency,
                transfers);
    }

    /** A fresh record of the blobs one operation writes. */
    public BlobWork blobWork() {
        return new BlobWork(store, pins);
    }

    /** Journals an event and hands it to every publisher and subscriber; never throws. */
    public void publish(PluginEvent event) {
        events.publish(event);
    }

    /** Where events go: the journal, the publishers and the subscribers. */
    public EventHub events() {
        return events;
    }

    /**
     * Reports progress, attributed to the current operation, to the manager's listener and to the
     * current task's own; each guarded.
     */
    public void progress(ProgressEvent event) {
        ProgressEvent labelled = OperationScope.label(event);
        Guard.progress(progress, labelled);
        for (ProgressListener own : OperationScope.listeners()) {
            Guard.progress(own, labelled);
        }
    }

    /**
     * Throws if the current operation was cancelled, interrupted or is past its deadline; see
     * {@link OperationScope#checkCancelled}.
     */
    public void checkCancelled() {
        OperationScope.checkCancelled(clock);
    }

    /**
     * A blob stream that honours cancellation on every read and reports {@code status} with the bytes
     * read so far, out of {@code total}, for the blob {@code digest}.
     */
    public InputStream metered(InputStream in, Digest digest, ProgressStatus status, long total) {
        String id = Pull.shortId(digest);
        return new MeteredInputStream(in, this::checkCancelled, n -> progress(new ProgressEvent(id, status, n, total)));
    }

    /** Locks one plugin's operations and returns the held lock. */
    public ReentrantLock lockFor(String id) {
        ReentrantLock lock = pluginLocks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        return lock;
    }

    /**
     * Drops a removed plugin's lock; does nothing while the plugin is still in the table (a lock must
     * never be replaced while someone holds or waits for it). IDs are never reused, so a removed
     * plugin's lock is never needed again.
     */
    public void forgetLock(String id) {
        if (table.byId(id).isEmpty()) {
            pluginLocks.remove(id);
        }
    }

    /** The record as it is now (it may have changed or gone while waiting for the lock). */
    public PluginRecord current(PluginRecord r) {
        return table.byId(r.plugin().id()).orElseThrow(() -> NotFoundException.plugin(r.plugin().name()));
    }

    /** Saves a changed record and puts it in the table. */
    public void update(PluginRecord record) {
        root.save(record);
        table.put(record);
    }

    /**
     * The digests the records name: configs, manifests and layers. GC adds what the manifests name;
     * an undo deletes only what is outside this set.
     */
    public Set<Digest> recordedDigests() {
        Set<Digest> used = new HashSet<>();
        for (PluginRecord r : table.all()) {
            r.config().ifPresent(used::add);
            r.manifest().ifPresent(used::add);
            used.addAll(r.blobsumsOrEmpty());
        }
        return used;
    }

    /** A new plugin ID that no record has, checked as Docker checks its own. */
    public String newId() {
        for (int i = 0; i < 100; i++) {
            String id = idGenerator.get();
            if (!Plugin.isId(id)) {
                throw new IllegalStateException("the ID generator returned \"" + id + "\", not 64 lower-case hex characters");
            }
            // Docker regenerates IDs whose 12-character prefix reads as a number (it would look like a
            // count in short listings).
            if (!id.substring(0, 12).chars().allMatch(Character::isDigit) && table.byId(id).isEmpty()) {
                return id;
            }
        }
        throw new IllegalStateException("the ID generator keeps returning unusable IDs");
    }

    /** {@code bytes} random bytes as lower-case hex. */
    public static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Whether the store has a blob. */
    public boolean blobExists(Digest digest) {
        try {
            return store.info(digest).isPresent();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    /** The stored size of a blob. */
    public long sizeOf(Digest digest) {
        try {
            return store.info(digest).orElseThrow(() -> new NotFoundException(
                    "error fetching info for content digest " + digest + ": not found")).size();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    /** A small blob, verified, at most {@code max} bytes. */
    public byte[] readBlob(Digest digest, int max) {
        try (InputStream in = store.verifiedStream(digest)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new SystemException("blob " + digest + " is larger than " + max + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new SystemException("error reading " + digest + " from the content store: " + e.getMessage(), e);
        }
    }

    /**
     * Fails once the manager is closed.
     *
     * @throws Boundary.ClosedException (an {@link IllegalStateException})
     */
    public void checkOpen() {
        if (closed) {
            throw new Boundary.ClosedException();
        }
    }

    /**
     * Fails once the manager is closed, or when the root was opened read-only; changing calls go
     * through here before they touch anything.
     *
     * @throws ReadOnlyException {@code the plugin root <root> is read-only: <operation> refused}
     */
    public void checkWritable() {
        checkWritable("the change");
    }

    /** {@link #checkWritable()} naming the refused operation. */
    public void checkWritable(String operation) {
        checkOpen();
        if (readOnly) {
            throw ReadOnlyException.refused(root.path().toString(), operation);
        }
    }

    /** Whether the root was opened read-only. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Marks the engine closed and ends its transfer threads; returns false if it already was. */
    public boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        transfers.close();
        return true;
    }
}
