package dev.berth.core.internal.operation;

import dev.berth.PushedPlugin;
import dev.berth.content.ContentProvider;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.core.internal.manager.Pull;
import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginRecord;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressStatus;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exports plugins into another resolver ({@code berth save}): for each plugin, its config, layers and
 * manifest, byte for byte as stored (same digests as in the registry it came from), pushed under its name.
 * With an {@code OciArchiveWriter} as target this writes an {@code oci-archive}; with an
 * {@code OciLayoutResolver}, a layout directory. A read operation: it takes each plugin's lock and the GC
 * read lock in turn, as push does, so it runs beside other operations on the same manager and root.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class Exporter {
    private final Engine engine;
    private final ContentProvider content;
    private final PluginPusher pusher;

    /** An exporter of the engine's plugins; {@code pusher} rebuilds a manifest missing from the store. */
    public Exporter(Engine engine, PluginPusher pusher) {
        this.engine = engine;
        this.content = engine.store();
        this.pusher = pusher;
    }

    /**
     * See {@code PluginManager.export}. Every name is resolved before anything is written, so an unknown
     * name writes nothing.
     */
    public List<PushedPlugin> export(List<String> namesOrIds, RegistryResolver target) {
        Objects.requireNonNull(namesOrIds, "namesOrIds");
        Objects.requireNonNull(target, "target");
        if (namesOrIds.isEmpty()) {
            throw new InvalidParameterException("nothing to export: no plugin named");
        }
        engine.checkOpen();
        List<PluginRecord> records = new ArrayList<>();
        for (String n : namesOrIds) {
            PluginRecord r = engine.table().resolve(Objects.requireNonNull(n, "name"));
            if (records.stream().noneMatch(x -> x.plugin().id().equals(r.plugin().id()))) {
                records.add(r);
            }
        }
        List<PushedPlugin> out = new ArrayList<>();
        for (PluginRecord r : records) {
            out.add(exportOne(r, target));
        }
        return out;
    }

    private PushedPlugin exportOne(PluginRecord found, RegistryResolver target) {
        Reference ref;
        try {
            ref = Reference.parse(found.plugin().name()).withDefaultTag();
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("plugin has invalid name " + found.plugin().name() + " for export: "
                    + e.getMessage(), e);
        }
        // The plugin's lock, then the GC read lock: the order every operation takes them in (see PluginPusher).
        ReentrantLock lock = engine.lockFor(found.plugin().id());
        try {
            engine.gcLock().readLock().lock();
        } catch (RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
        try (OperationScope scope = OperationScope.open("export", found.plugin().name())) {
            engine.checkOpen();
            PluginRecord r = engine.current(found);
            Manifest manifest = pusher.manifestOf(r);
            r = engine.current(r); // a rebuilt manifest is in the record now
            byte[] manifestBytes = engine.readBlob(r.manifest().orElseThrow(), OciJson.MAX_MANIFEST_BYTES);
            Descriptor manifestDesc = Descriptor.of(manifest.mediaType().orElse(MediaTypes.DOCKER_MANIFEST_V2),
                    r.manifest().get(), manifestBytes.length);
            Pusher to = target.pusher(ref);
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(manifest.config());
            blobs.addAll(manifest.layers());
            for (Descriptor d : blobs) {
                engine.checkCancelled();
                String id = Pull.shortId(d.digest());
                engine.progress(new ProgressEvent(id, ProgressStatus.PREPARING, 0, d.size()));
                BlobSource source = () -> engine.metered(content.verifiedStream(d.digest()), d.digest(),
                        ProgressStatus.PUSHING, d.size());
                to.push(d, source);
                engine.progress(new ProgressEvent(id, ProgressStatus.PUSHED, d.size(), d.size()));
            }
            engine.checkCancelled();
            to.push(manifestDesc, BlobSource.of(manifestBytes));
            return new PushedPlugin(ref.toString(), ref.tag().orElse(Reference.DEFAULT_TAG), manifestDesc.digest(),
                    manifestDesc.size());
        } finally {
            engine.gcLock().readLock().unlock();
            lock.unlock();
        }
    }
}
