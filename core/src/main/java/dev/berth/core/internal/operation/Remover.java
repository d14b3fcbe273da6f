package dev.berth.core.internal.operation;

import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.event.PluginEvent;
import dev.berth.exception.ConflictException;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a plugin ({@code docker plugin rm}): stops it if forced, renames its directory to
 * {@code <id>-removing} and deletes it, so an interruption never leaves a half plugin under its ID; then,
 * as Docker, collects garbage on the manager's executor.
 */
public final class Remover {
    private static final Logger LOG = LoggerFactory.getLogger(Remover.class);

    private final Engine engine;
    private final Lifecycle lifecycle;
    private final GarbageCollector gc;
    private final Executor executor;
    private final boolean gcAfterRemove;

    /** A remover that stops plugins through {@code lifecycle} and collects with {@code gc}. */
    public Remover(Engine engine, Lifecycle lifecycle, GarbageCollector gc, Executor executor, boolean gcAfterRemove) {
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.gc = gc;
        this.executor = executor;
        this.gcAfterRemove = gcAfterRemove;
    }

    /** See {@code PluginManager.remove}. */
    public void remove(String nameOrId, boolean force) {
        engine.checkWritable("remove");
        PluginRecord r = engine.table().resolve(nameOrId);
        ReentrantLock lock = engine.lockFor(r.plugin().id());
        Plugin removed;
        try {
            r = engine.current(r);
            Plugin p = r.plugin();
            if (!force) {
                if (engine.table().refCount(p.id()) > 0) {
                    throw ConflictException.inUse(p.name());
                }
                if (p.enabled()) {
                    throw ConflictException.enabled(p.name());
                }
            }
            if (p.enabled()) {
                try {
                    lifecycle.stop(r);
                } catch (RuntimeException e) {
                    LOG.warn("failed to disable plugin '{}': {}", p.name(), e.toString());
                }
            }
            engine.root().atomicRemove(engine.root().pluginDir(p.id()));
            KillPoint.reach("remove.deleted");
            engine.table().remove(p.id());
            removed = p;
        } finally {
            lock.unlock();
            // only a plugin that is gone: a refused remove forgetting the lock of a live plugin let the
            // next operation make a second lock for it and run beside the one that held the first
            engine.forgetLock(r.plugin().id());
        }
        engine.publish(new PluginEvent.Removed(removed, engine.clock().instant()));
        if (gcAfterRemove) {
            executor.execute(() -> {
                try {
                    gc.collect();
                } catch (RuntimeException e) {
                    LOG.warn("garbage collection after removing {} failed: {}", removed.name(), e.toString());
                }
            });
        }
    }
}
