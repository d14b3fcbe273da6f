package dev.berth.core.internal.manager;

import dev.berth.content.ContentCopy;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.SystemException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.remote.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blobs one operation writes to the content store, and what undoing it needs: the blobs it pinned
 * (so a failing concurrent operation does not delete them), the blobs that were not in the store
 * before it (its own, to delete on failure) and the ingest refs it opened (to abort on failure). Used
 * by the threads of one operation (its downloads may run in parallel); the bookkeeping is synchronized.
 */
public final class BlobWork {
    private static final Logger LOG = LoggerFactory.getLogger(BlobWork.class);

    /** How long a write waits for another operation holding the same ingest ref. */
    private static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final ContentStore store;
    private final BlobPins pins;
    private final List<Digest> added = new ArrayList<>();
    private final List<Digest> pinned = new ArrayList<>();
    private final List<String> ingests = new ArrayList<>();

    /** Work on {@code store}, pinning in {@code pins}. */
    public BlobWork(ContentStore store, BlobPins pins) {
        this.store = store;
        this.pins = pins;
    }

    /** Marks a blob as used by this operation until {@link #release()}. */
    public synchronized void pin(Digest digest) {
        pins.pin(digest);
        pinned.add(digest);
    }

    /**
     * Counts a blob as this operation's own if the store lacks it now. Called before writing: a
     * failure after the blob's commit must still remove it.
     */
    public synchronized void claimIfAbsent(Digest digest) {
        if (!exists(digest)) {
            added.add(digest);
        }
    }

    /** Records an ingest ref this operation opens, to abort if the operation fails. */
    public synchronized void ingest(String ref) {
        ingests.add(ref);
    }

    /** Pins, claims and writes a small blob; returns its descriptor. */
    public Descriptor putBytes(String ref, byte[] bytes, String mediaType) {
        Descriptor d = Descriptor.of(mediaType, Digest.sha256(bytes), bytes.length);
        pin(d.digest());
        claimIfAbsent(d.digest());
        try {
            put(ref, () -> new ByteArrayInputStream(bytes), d);
        } catch (IOException e) {
            throw new SystemException("error writing " + d.digest() + " to the content store: " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Writes a blob under {@code ref} (recorded as an ingest). When another operation holds the same
     * ingest (two installs sharing a layer), waits for it (containerd's OpenWriter) and does not read
     * {@code source} if the blob was committed meanwhile.
     */
    public void put(String ref, Supplier<InputStream> source, Descriptor d) throws IOException {
        write(ref, d, writer -> {
            try (InputStream in = source.get()) {
                ContentCopy.copy(writer, in, OptionalLong.of(d.size()), Optional.of(d.digest()), Map.of());
            }
        });
    }

    /** What a write does with the ingest's writer once it knows the blob is still missing. */
    @FunctionalInterface
    private interface Body {
        void write(ContentWriter writer) throws IOException;
    }

    /**
     * Opens the writer of {@code ref} (recorded as an ingest), waiting for another operation holding it,
     * and runs {@code body} unless the blob was committed meanwhile. The writer holds the ref's lock: it
     * is closed on every path, or the next writer would wait.
     */
    private void write(String ref, Descriptor d, Body body) throws IOException {
        ingest(ref);
        ContentWriter writer = ContentCopy.openWriter(store, ref, OptionalLong.of(d.size()), Optional.of(d.digest()),
                LOCK_WAIT);
        try (writer) {
            if (exists(d.digest())) {
                writer.close();
                store.abort(ref);
                return;
            }
            body.write(writer);
        }
    }

    /** Where a download's bytes come from: from the first byte, or continuing a digest state. */
    @FunctionalInterface
    public interface ResumableSource {
        /**
         * Opens the blob: from its first byte when {@code resume} is empty, otherwise from byte
         * {@code resume.count()}, adding the bytes to {@code resume} and verifying the whole at the end.
         */
        InputStream open(Optional<Digester> resume) throws IOException;
    }

    /**
     * Downloads a blob under {@code ref} (recorded as an ingest). When the store already holds a prefix
     * of it in that ingest (a download a killed process left), it continues from there with the digest
     * state rebuilt from the stored bytes; when that continuation is refused (a registry answering a
     * wrong range) or the result does not verify, it starts again from byte 0, once.
     */
    public void fetch(String ref, Descriptor d, ResumableSource source) throws IOException {
        write(ref, d, writer -> {
            long offset = writer.status().offset();
            Optional<Digester> state = offset > 0 && offset <= d.size() ? writer.resumeState() : Optional.empty();
            if (state.isPresent()) {
                try {
                    try (InputStream in = source.open(state)) {
                        writer.transferFrom(in);
                    }
                    writer.commit(OptionalLong.of(d.size()), Optional.of(d.digest()), Map.of());
                    return;
                } catch (RegistryException e) {
                    if (e.reason() != RegistryException.Reason.PROTOCOL && e.reason() != RegistryException.Reason.SIZE) {
                        throw e;
                    }
                    LOG.info("{}: cannot continue from byte {} ({}); downloading it again", d.digest(), offset,
                            e.getMessage());
                } catch (DigestMismatchException e) {
                    LOG.info("{}: the stored prefix of {} bytes did not verify; downloading it again", d.digest(), offset);
                }
                writer.truncate(0);
            }
            try (InputStream in = source.open(Optional.empty())) {
                ContentCopy.copy(writer, in, OptionalLong.of(d.size()), Optional.of(d.digest()), Map.of());
            }
        });
    }

    /** Whether the store has the blob. */
    public boolean exists(Digest digest) {
        try {
            return store.info(digest).isPresent();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code digest} was not in the store when this operation claimed it: this operation (or one
     * it waited for on the same ingest) committed it since, verified.
     */
    public synchronized boolean added(Digest digest) {
        return added.contains(digest);
    }

    /** Blobs this operation wrote or began to write that were not in the store before. */
    public synchronized List<Digest> added() {
        return List.copyOf(added);
    }

    /** The ingest refs this operation opened. */
    public synchronized List<String> ingests() {
        return List.copyOf(ingests);
    }

    /** Releases the pins. */
    public synchronized void release() {
        pinned.forEach(pins::unpin);
        pinned.clear();
    }
}
