package dev.berth.core.internal.operation;

import dev.berth.PushedPlugin;
import dev.berth.content.ContentProvider;
import dev.berth.core.internal.manager.BlobWork;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.core.internal.manager.Pull;
import dev.berth.event.PluginEvent;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.SystemException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginRecord;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressStatus;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a plugin under its local name ({@code docker plugin push}): config and layers first, then the
 * manifest. A manifest missing from the store is rebuilt from the record and recorded.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class PluginPusher {
    private static final Logger LOG = LoggerFactory.getLogger(PluginPusher.class);

    private final Engine engine;
    private final ContentProvider content;

    private final int maxConcurrentUploads;

    /** A pusher of the engine's plugins that uploads up to {@code maxConcurrentUploads} blobs at once. */
    public PluginPusher(Engine engine, int maxConcurrentUploads) {
        this.engine = engine;
        this.content = engine.store();
        this.maxConcurrentUploads = maxConcurrentUploads;
    }

    /** A plugin's manifest as pushed: the record it was pushed from and the manifest's descriptor. */
    public record Sent(PluginRecord record, Manifest manifest, Descriptor descriptor) {
    }

    /** See {@code PluginManager.push}. */
    public PushedPlugin push(String nameOrId) {
        PluginRecord r = engine.table().resolve(nameOrId);
        Reference ref = nameOf(r);
        Sent sent = send(r, ref);
        String tag = ref.tag().orElse(Reference.DEFAULT_TAG);
        PushedPlugin pushed = new PushedPlugin(ref.toString(), tag, sent.descriptor().digest(), sent.descriptor().size());
        engine.publish(new PluginEvent.Pushed(sent.record().plugin(), tag, pushed.digest().toString(), pushed.size(),
                engine.clock().instant()));
        return pushed;
    }

    /** The plugin's name as a reference to push to. */
    static Reference nameOf(PluginRecord r) {
        try {
            return Reference.parse(r.plugin().name());
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("plugin has invalid name " + r.plugin().name() + " for push: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Pushes the plugin's config and layers, then its manifest, to {@code target}: under its tag, or by
     * digest when {@code target} has none. Holds the plugin's lock and the GC read lock meanwhile, so
     * what is pushed is one state of the plugin.
     */
    public Sent send(PluginRecord found, Reference target) {
        return send(found, () -> engine.resolver().pusher(target), Optional.of(target), maxConcurrentUploads, "push");
    }

    /**
     * Sends the plugin's config and layers, then its manifest, through {@code target}, holding the locks as
     * {@link #send(PluginRecord, Reference)} does. Push and export share it.
     *
     * @param target      makes the pusher, called only once the manifest is known to be sendable (a read-only
     *                    root with a manifest to rebuild refuses before any registry call)
     * @param mountInto   the registry reference pushed to, whose other repositories may hold the blobs
     *                    (the plugin's origin is then offered as a mount); empty for a target with no mounts
     * @param concurrency how many blobs go at once; 1 sends them in manifest order
     * @param operation   the operation's name, for progress and errors
     */
    Sent send(PluginRecord found, Supplier<Pusher> target, Optional<Reference> mountInto, int concurrency,
            String operation) {
        // The plugin's lock first, then the GC read lock, as every operation takes them (BuildTransaction
        // .replace): the reverse order deadlocks against an upgrade once a GC queues for the write lock.
        ReentrantLock lock = engine.lockFor(found.plugin().id());
        try {
            engine.gcLock().readLock().lock();
        } catch (RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
        try (OperationScope scope = OperationScope.open(operation, found.plugin().name())) {
            engine.checkOpen();
            PluginRecord r = engine.current(found);
            Manifest manifest = manifestOf(r);
            r = engine.current(r); // a rebuilt manifest is in the record now
            byte[] manifestBytes = engine.readBlob(r.manifest().orElseThrow(), OciJson.MAX_MANIFEST_BYTES);
            Descriptor manifestDesc = Descriptor.of(manifest.mediaType().orElse(MediaTypes.DOCKER_MANIFEST_V2),
                    r.manifest().get(), manifestBytes.length);
            Pusher pusher = target.get();
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(manifest.config());
            blobs.addAll(manifest.layers());
            PluginRecord current = r;
            Optional<Reference> origin = mountInto.flatMap(into -> origin(current, into));
            engine.inParallel(blobs, concurrency, d -> pushBlob(pusher, d, origin));
            KillPoint.reach("push.blobs-pushed");
            engine.checkCancelled();
            pusher.push(manifestDesc, BlobSource.of(manifestBytes));
            return new Sent(r, manifest, manifestDesc);
        } finally {
            engine.gcLock().readLock().unlock();
            lock.unlock();
        }
    }

    private void pushBlob(Pusher pusher, Descriptor d, Optional<Reference> origin) {
        String id = Pull.shortId(d.digest());
        engine.checkCancelled();
        engine.progress(new ProgressEvent(id, ProgressStatus.PREPARING, 0, d.size()));
        // the plain stream, not verifiedStream: every Pusher checks the bytes against the descriptor (its
        // contract), so hashing here too would cost a second SHA-256 pass over each blob for nothing
        BlobSource source = () -> engine.metered(content.stream(d.digest()), d.digest(),
                ProgressStatus.PUSHING, d.size());
        PushResult result = pusher.push(d, origin.map(source::withMountFrom).orElse(source));
        ProgressStatus done = result.outcome() == PushResult.Outcome.ALREADY_EXISTS
                ? ProgressStatus.LAYER_ALREADY_EXISTS : ProgressStatus.PUSHED;
        engine.progress(new ProgressEvent(id, done, d.size(), d.size()));
    }

    /**
     * The repository the plugin was installed from, when it is another repository of the registry
     * being pushed to: the registry can then mount the blobs it already has instead of receiving them.
     */
    private static Optional<Reference> origin(PluginRecord r, Reference target) {
        try {
            Reference from = Reference.parse(r.plugin().pluginReference()).repository();
            return from.domain().equals(target.domain()) && !from.path().equals(target.path())
                    ? Optional.of(from) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // a created plugin's reference is its own name; nothing to mount
        }
    }

    /** The record's manifest, rebuilt (and the record updated) when the blob is gone. */
    Manifest manifestOf(PluginRecord r) {
        if (r.manifest().isPresent() && engine.blobExists(r.manifest().get())) {
            return OciJson.decodeManifest(engine.readBlob(r.manifest().get(), OciJson.MAX_MANIFEST_BYTES),
                    MediaTypes.DOCKER_MANIFEST_V2);
        }
        engine.checkWritable("push of " + r.plugin().name() + " (its manifest must be rebuilt)");
        LOG.info("manifest of plugin {} is missing from the store; rebuilding it", r.plugin().name());
        Digest configDigest = r.config().orElseThrow(() -> new SystemException(
                "plugin " + r.plugin().name() + " has no config digest"));
        Descriptor config = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, configDigest, engine.sizeOf(configDigest));
        List<Descriptor> layers = new ArrayList<>();
        for (Digest d : r.blobsumsOrEmpty()) {
            layers.add(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, d, engine.sizeOf(d)));
        }
        Manifest manifest = Manifest.dockerPlugin(config, layers);
        byte[] bytes = OciJson.encodeManifest(manifest);
        BlobWork blobs = engine.blobWork();
        try {
            Descriptor stored = blobs.putBytes("manifest-" + Digest.sha256(bytes), bytes, MediaTypes.DOCKER_MANIFEST_V2);
            engine.update(new PluginRecord(r.plugin(), r.rootfs(), r.config(), r.blobsums(),
                    Optional.of(stored.digest()), r.swarmServiceId()));
            return manifest;
        } finally {
            blobs.release();
        }
    }
}
