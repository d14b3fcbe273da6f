package dev.berth.core.internal.operation;

import dev.berth.GcResult;
import dev.berth.content.ContentInfo;
import dev.berth.content.ContentLabels;
import dev.berth.content.ContentManager;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.OperationScope;
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
            for (ContentInfo info : unused) {
                content.delete(info.digest());
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
