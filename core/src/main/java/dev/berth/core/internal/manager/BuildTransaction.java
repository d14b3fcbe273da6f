package dev.berth.core.internal.manager;

import dev.berth.content.ContentProvider;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.SystemException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginRecord;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressStatus;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.RootfsApplier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way a plugin's files come to be: build a rootfs and a record under {@code <root>/tmp/}, then
 * publish them with one rename. Install and create {@linkplain #newPlugin publish a new plugin} under a
 * reserved name; upgrade {@linkplain #replace replaces} an existing plugin's rootfs under its lock.
 * Every step in between runs inside {@link Body#build}; if anything fails, {@link #discard undo} deletes
 * the work directory, aborts the ingests the transaction opened and deletes the blobs it added that no
 * record and no other running operation uses, so the root and the store are as they were.
 *
 * <p>A cancel, an interrupt or a passed deadline ({@link OperationScope}) is honoured between steps
 * and on every read of a layer, up to the moment of publishing, and undone like any failure; the undo
 * itself runs with the interrupt status cleared and restores it.
 *
 * <p>The GC lock is held for reading throughout, so no blob the transaction pins or writes is collected
 * under it. One transaction is used by one thread.
 */
public final class BuildTransaction {
    /** The steps that fill the rootfs and return the record to publish. */
    @FunctionalInterface
    public interface Body {
        /** Builds the record; may fetch, write blobs through {@link #blobs()} and apply layers. */
        PluginRecord build(BuildTransaction tx);
    }

    /** How a built record is published: into a new directory, or over an existing plugin. */
    @FunctionalInterface
    private interface Publish {
        void publish(BuildTransaction tx, PluginRecord record);
    }

    private final Engine engine;
    private final BlobWork blobs;
    private Path work;
    private Path rootfs;

    private BuildTransaction(Engine engine) {
        this.engine = engine;
        this.blobs = engine.blobWork();
    }

    /**
     * Builds a new plugin called {@code name} and publishes it as {@code <root>/<id>/}. The name is
     * reserved for the whole transaction, so two builds of one name conflict at once.
     *
     * @param purpose a suffix for the work directory's name, such as {@code ".install"}
     * @return the published record, already in the table
     */
    public static PluginRecord newPlugin(Engine engine, String name, String purpose, Body body) {
        engine.checkWritable();
        engine.table().reserve(name);
        try {
            return run(engine, purpose, body, (tx, record) -> {
                engine.root().save(tx.work, record);
                KillPoint.reach("build.record-saved");
                engine.root().promote(tx.work, record.plugin().id());
                KillPoint.reach("build.promoted");
            });
        } finally {
            engine.table().release(name);
        }
    }

    /**
     * Builds a new rootfs for the plugin {@code id} and swaps it in with its record in one step
     * ({@link PluginRoot#upgrade}), under the plugin's lock. The body should re-read the record with
     * {@link Engine#current}, since it may have changed while the lock was awaited.
     */
    public static PluginRecord replace(Engine engine, String id, String purpose, Body body) {
        engine.checkWritable();
        ReentrantLock lock = engine.lockFor(id);
        try {
            return run(engine, purpose, body, (tx, record) -> engine.root().upgrade(id, tx.rootfs, record));
        } finally {
            lock.unlock();
        }
    }

    private static PluginRecord run(Engine engine, String purpose, Body body, Publish publish) {
        engine.gcLock().readLock().lock();
        BuildTransaction tx = new BuildTransaction(engine);
        try {
            engine.checkOpen();
            engine.checkCancelled();
            tx.work = engine.root().newTempDir(purpose);
            tx.rootfs = tx.work.resolve("rootfs");
            createDirectory(tx.rootfs);
            KillPoint.reach("build.work-dir");
            PluginRecord record = body.build(tx);
            // The last moment a cancel is honoured: after the rename the plugin exists.
            engine.checkCancelled();
            publish.publish(tx, record);
            engine.table().put(record);
            KillPoint.reach("build.published");
            // A new plugin's work directory became the plugin; an upgrade's holds the old rootfs.
            PluginRoot.deleteRecursively(tx.work);
            return record;
        } catch (RuntimeException e) {
            OperationScope.uninterrupted(() -> tx.discard(e));
            throw OperationScope.asCancelled(e);
        } finally {
            tx.blobs.release();
            engine.gcLock().readLock().unlock();
        }
    }

    /** The blobs this transaction writes, pins and would undo. */
    public BlobWork blobs() {
        return blobs;
    }

    /** A pull whose blobs are this transaction's. */
    public Pull pull() {
        return engine.pull(blobs);
    }

    /** A pull from {@code source} whose blobs are this transaction's. */
    public Pull pull(dev.berth.remote.RegistryResolver source) {
        return engine.pull(blobs, source);
    }

    /** The rootfs being built. */
    public Path rootfs() {
        return rootfs;
    }

    /**
     * Applies the layers in manifest order from the store and checks each against the config's
     * {@code rootfs.diff_ids}: the uncompressed digest, or the compressed one Docker writes there. A layer
     * the store held before this build is verified against its digest as it is read; one this build
     * fetched or wrote was verified when it was committed.
     */
    public void applyLayers(ContentProvider store, RootfsApplier applier, List<Descriptor> layers, PluginConfig config) {
        List<String> diffIds = config.rootfs().map(r -> r.diffIds()).orElse(null);
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            String id = Pull.shortId(layer.digest());
            engine.progress(new ProgressEvent(id, ProgressStatus.EXTRACTING, 0, layer.size()));
            AppliedLayer applied;
            engine.checkCancelled();
            // A blob this build put in the store was verified as it was committed, moments ago: reading it
            // back needs no second hash of the whole layer (and the diff_id check below covers what the
            // applier read). One that was there before is verified again as it is read.
            boolean fresh = blobs.added(layer.digest());
            try (InputStream raw = fresh ? store.stream(layer.digest()) : store.verifiedStream(layer.digest());
                 InputStream in = engine.metered(raw, layer.digest(), ProgressStatus.EXTRACTING, layer.size())) {
                applied = applier.apply(in, layer.mediaType(), rootfs);
            } catch (IOException e) {
                throw new SystemException("error applying layer for digest " + layer.digest() + ": " + e.getMessage(), e);
            }
            applied(diffIds, i, layer, applied);
        }
    }

    /** Checks an applied layer against its diff_id, if the config lists one, and reports it complete. */
    private void applied(List<String> diffIds, int i, Descriptor layer, AppliedLayer applied) {
        if (diffIds != null && i < diffIds.size()) {
            checkDiffId(diffIds.get(i), layer, applied);
        }
        engine.progress(new ProgressEvent(Pull.shortId(layer.digest()), ProgressStatus.PULL_COMPLETE, layer.size(),
                layer.size()));
    }

    /**
     * Applies the one layer of a plugin while it downloads ({@link Pull#layersStreaming}): the applier reads
     * the bytes as the download stores them, so each byte is received, stored and extracted in one pass.
     * The layer is in the store, verified, before {@code stored} runs and before this returns. When the
     * applier fails, the download still runs to its end: bytes that do not verify (a corrupted transfer)
     * fail the build as a digest mismatch, as they do when the layer is stored before it is applied; only
     * a layer that verifies fails with the applier's error. When the download cannot stream (it continues
     * a prefix a killed process left, or another operation stored the blob), the layer is applied from the
     * store once it is there.
     *
     * @param stored run once the layer is stored, before its diff_id is checked
     */
    public void applyStreaming(ContentProvider store, RootfsApplier applier, Pull.StreamedLayer streamed,
                               PluginConfig config, Runnable stored) {
        Descriptor layer = streamed.layer();
        Optional<InputStream> bytes = streamed.bytes();
        if (bytes.isEmpty()) {
            streamed.awaitStored();
            stored.run();
            applyLayers(store, applier, List.of(layer), config);
            return;
        }
        AppliedLayer applied;
        try {
            engine.checkCancelled();
            try (InputStream in = bytes.get()) {
                applied = applier.apply(in, layer.mediaType(), rootfs);
            }
        } catch (IOException | RuntimeException e) {
            // The rest of the layer is still downloaded and stored, not extracted: when its bytes do not
            // verify (or the download failed), that failure explains the applier's and is the one thrown.
            streamed.awaitStored();
            if (e instanceof IOException io) {
                throw new SystemException("error applying layer for digest " + layer.digest() + ": " + io.getMessage(),
                        io);
            }
            throw (RuntimeException) e;
        }
        streamed.awaitStored();
        stored.run();
        engine.progress(new ProgressEvent(Pull.shortId(layer.digest()), ProgressStatus.EXTRACTING, layer.size(),
                layer.size()));
        applied(config.rootfs().map(r -> r.diffIds()).orElse(null), 0, layer, applied);
    }

    private static void checkDiffId(String expected, Descriptor layer, AppliedLayer applied) {
        if (expected.equals(applied.diffId().toString()) || expected.equals(layer.digest().toString())) {
            return;
        }
        if (!Digest.isValid(expected)) {
            throw new InvalidParameterException("invalid plugin config: diff_id \"" + expected + "\" is not a digest");
        }
        throw new DigestMismatchException("layer " + layer.digest() + " (diff_id)", Digest.parse(expected), applied.diffId());
    }

    /**
     * Undoes a failed build: deletes its work directory, aborts the ingests it left half written, and
     * deletes the blobs it added that no record and no other running operation uses. A failure of the
     * undo itself is added to {@code cause} as suppressed.
     */
    private void discard(RuntimeException cause) {
        try {
            if (work != null) {
                PluginRoot.deleteRecursively(work);
            }
            for (String ref : blobs.ingests()) {
                if (engine.store().status(ref).isPresent()) {
                    engine.store().abort(ref);
                }
            }
            Set<Digest> used = engine.recordedDigests();
            for (Digest d : blobs.added()) {
                // This operation still holds its pins, so another user shows as a count above one.
                if (!used.contains(d) && !engine.pins().isPinnedByOthers(d) && engine.blobExists(d)) {
                    engine.store().delete(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new SystemException("failed to mkdir " + dir + ": " + e.getMessage(), e);
        }
    }
}
