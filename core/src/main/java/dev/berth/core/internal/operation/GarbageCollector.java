package dev.berth.core.internal.operation;

import dev.berth.GcResult;
import dev.berth.content.ContentInfo;
import dev.berth.content.ContentLabels;
import dev.berth.content.ContentManager;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.core.internal.manager.Pull;
import dev.berth.exception.SystemException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.plugin.PluginRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes every blob that no plugin uses. Marks, for every record, its config, its manifest and its
 * layers, and what its stored manifest names (Docker forgets manifests and usually layers, and so
 * deletes blobs still needed). Excludes every other operation on blobs while it runs.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final Engine engine;
    private final ContentManager content;

    /** A collector of the engine's store. */
    public GarbageCollector(Engine engine) {
        this.engine = engine;
        this.content = engine.store();
    }

    /** Collects; see the class comment. */
    public GcResult collect() {
        engine.checkWritable("gc");
        engine.gcLock().writeLock().lock();
        try (OperationScope scope = OperationScope.open("gc", "")) {
            engine.checkOpen();
            engine.checkCancelled();
            Set<Digest> used = engine.recordedDigests();
            for (PluginRecord r : engine.table().all()) {
                r.manifest().filter(engine::blobExists).ifPresent(m -> markManifest(r, m, used));
            }
            List<ContentInfo> unused = new ArrayList<>();
            content.walk(ContentLabels.all(), info -> {
                if (!used.contains(info.digest()) && !engine.pins().isPinned(info.digest())) {
                    unused.add(info);
                }
            });
            List<Digest> removed = new ArrayList<>();
            long freed = 0;
            KillPoint.reach("gc.marked");
            for (ContentInfo info : unused) {
                content.delete(info.digest());
                KillPoint.reach("gc.deleted");
                removed.add(info.digest());
                freed += info.size();
            }
            return new GcResult(removed, freed);
        } catch (IOException e) {
            throw new SystemException("garbage collection failed: " + e.getMessage(), e);
        } finally {
            engine.gcLock().writeLock().unlock();
        }
    }

    /**
     * The automatic collection when a manager opens its root: a killed install, create, upgrade or
     * remove leaves blobs no record names (committed before the record was published, or no longer
     * named once the record was gone), which would otherwise stay until someone runs {@code gc}.
     * Also aborts the ingests that can never be resumed: all but the layer downloads a killed pull
     * left ({@code layer-<digest>}, which the next pull of that layer continues; the store sweeps
     * those after its stale-ingest age), since the refs of create and of small blobs are never
     * reopened to continue.
     *
     * <p>Runs only where nothing else can be using the store's blobs: with the root's lock held
     * exclusively ({@code rootLocked}; this manager's operations have not started, and no other
     * writable manager of the root exists), and only when every record loaded: the blobs of a record
     * that could not be read are kept for whoever repairs it. An ingest another process is writing is
     * locked and so left alone. Failures are logged; the manager opens anyway.
     *
     * @return the blobs deleted, empty when skipped
     */
    public GcResult collectAtOpen(boolean rootLocked, int loadProblems) {
        if (!rootLocked || loadProblems > 0) {
            LOG.info("not collecting garbage at open of {}: {}", engine.root().path(),
                    loadProblems > 0 ? loadProblems + " records could not be read" : "the root is not locked");
            return new GcResult(List.of(), 0);
        }
        try {
            GcResult result = collect();
            if (!result.removed().isEmpty()) {
                LOG.info("removed {} blobs no plugin uses ({} bytes) at open of {}", result.removed().size(),
                        result.bytesFreed(), engine.root().path());
            }
            abortDeadIngests();
            return result;
        } catch (RuntimeException e) {
            LOG.warn("garbage collection at open of {} failed: {}", engine.root().path(), e.toString());
            return new GcResult(List.of(), 0);
        }
    }

    private void abortDeadIngests() {
        List<dev.berth.content.IngestStatus> statuses;
        try {
            statuses = engine.store().statuses(s -> !s.ref().startsWith(Pull.LAYER_REF_PREFIX)
                    || s.expected().filter(engine::blobExists).isPresent());
        } catch (IOException e) {
            LOG.warn("cannot list the ingests of the content store: {}", e.toString());
            return;
        }
        for (dev.berth.content.IngestStatus s : statuses) {
            try {
                engine.store().abort(s.ref());
                LOG.info("aborted the ingest {} an interrupted operation left ({} bytes)", s.ref(), s.offset());
            } catch (dev.berth.content.IngestLockedException e) {
                LOG.debug("ingest {} is being written: kept", s.ref());
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot abort the ingest {}: {}", s.ref(), e.toString());
            }
        }
    }

    private void markManifest(PluginRecord r, Digest m, Set<Digest> used) {
        try {
            Manifest manifest = OciJson.decodeManifest(engine.readBlob(m, OciJson.MAX_MANIFEST_BYTES),
                    MediaTypes.DOCKER_MANIFEST_V2);
            used.add(manifest.config().digest());
            manifest.layers().forEach(l -> used.add(l.digest()));
        } catch (RuntimeException e) {
            LOG.warn("cannot read manifest {} of {}: {}", m, r.plugin().name(), e.toString());
        }
    }
}
