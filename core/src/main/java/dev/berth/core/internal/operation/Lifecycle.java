package dev.berth.core.internal.operation;

import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.core.internal.manager.PluginRoot;
import dev.berth.core.internal.manager.Settings;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.core.internal.runtime.SupervisorListener;
import dev.berth.event.PluginEvent;
import dev.berth.exception.ConflictException;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnavailableException;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.RunningPlugin;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations on an installed plugin's state: enable, disable and set, the host's view of a running
 * plugin, and bringing enabled plugins back when a manager opens. Also the supervisor's listener, which
 * turns "gave up restarting" into a disabled record.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class Lifecycle implements SupervisorListener {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Engine engine;

    /** The lifecycle of the engine's plugins. */
    public Lifecycle(Engine engine) {
        this.engine = engine;
    }

    /** See {@code PluginManager.enable}. */
    public Plugin enable(String nameOrId, Duration timeout) {
        engine.checkWritable("enable");
        PluginRecord r = engine.table().resolve(nameOrId);
        ReentrantLock lock = engine.lockFor(r.plugin().id());
        Plugin enabled;
        try (OperationScope scope = OperationScope.open("enable", r.plugin().name())) {
            engine.checkCancelled();
            r = engine.current(r);
            if (r.plugin().enabled()) {
                throw new ConflictException("plugin already enabled: plugin " + r.plugin().name() + " is enabled");
            }
            start(r, timeout);
            KillPoint.reach("enable.started");
            PluginRecord updated = new PluginRecord(r.plugin().withEnabled(true), rootfs(r).toAbsolutePath().toString(),
                    r.config(), r.blobsums(), r.manifest(), r.swarmServiceId());
            try {
                engine.root().save(updated);
            } catch (RuntimeException e) {
                stop(r);
                throw e;
            }
            engine.table().put(updated);
            enabled = updated.plugin();
        } finally {
            lock.unlock();
        }
        engine.publish(new PluginEvent.Enabled(enabled, engine.clock().instant()));
        return enabled;
    }

    /** See {@code PluginManager.disable}. */
    public Plugin disable(String nameOrId, boolean force) {
        engine.checkWritable("disable");
        PluginRecord r = engine.table().resolve(nameOrId);
        ReentrantLock lock = engine.lockFor(r.plugin().id());
        Plugin disabled;
        try {
            r = engine.current(r);
            Plugin p = r.plugin();
            if (!force && engine.table().refCount(p.id()) > 0) {
                throw ConflictException.inUse(p.name());
            }
            if (!p.enabled()) {
                throw new ConflictException("plugin is already disabled: plugin " + p.name() + " found but disabled");
            }
            stop(r);
            KillPoint.reach("disable.stopped");
            PluginRecord updated = r.withPlugin(p.withEnabled(false));
            engine.update(updated);
            disabled = updated.plugin();
        } finally {
            lock.unlock();
        }
        engine.publish(new PluginEvent.Disabled(disabled, engine.clock().instant()));
        return disabled;
    }

    /** See {@code PluginManager.set}. */
    public Plugin set(String nameOrId, List<String> args) {
        engine.checkWritable("set");
        PluginRecord r = engine.table().resolve(nameOrId);
        ReentrantLock lock = engine.lockFor(r.plugin().id());
        try {
            r = engine.current(r);
            Plugin p = r.plugin();
            if (p.enabled()) {
                throw new ConflictException("cannot set on an active plugin, disable plugin before setting");
            }
            Settings.Applied applied = Settings.apply(p.config(), p.settings(), args);
            PluginRecord updated = r.withPlugin(p.withConfig(applied.config()).withSettings(applied.settings()));
            engine.update(updated);
            return updated.plugin();
        } finally {
            lock.unlock();
        }
    }

    /** See {@code PluginManager.get}: checks the plugin and changes its reference count by {@code delta}. */
    public Plugin get(Plugin p, String capability, int delta) {
        if (!p.enabled()) {
            throw ConflictException.disabled(p.name());
        }
        if (!p.config().provides(capability)) {
            throw new SystemException("plugin does not provide \"" + capability.toLowerCase(Locale.ROOT) + "\" capability");
        }
        engine.table().addRef(p.id(), delta);
        return p;
    }

    /** See {@code PluginManager.getAllByCap}: enabled providers of {@code capability}, by name; counts unchanged. */
    public List<Plugin> getAllByCap(String capability) {
        return engine.table().all().stream().map(PluginRecord::plugin)
                .filter(p -> p.enabled() && p.config().provides(capability))
                .sorted(java.util.Comparator.comparing(Plugin::name)).toList();
    }

    /**
     * Shuts the engine's plugins down as {@code PluginManager.close} describes: stopped unless
     * {@code liveRestore}, then the supervisor, the event delivery and the root's lock are released, the
     * lock even when stopping a plugin fails (that failure is then a {@code SystemException}).
     */
    public void close(boolean liveRestore) {
        try {
            // A runtime that fails to stop a plugin must not leak its own exception type from close.
            Boundary.run(() -> engine.supervisor().ifPresent(sup -> {
                if (!liveRestore) {
                    sup.disableAll();
                }
                sup.close();
            }));
        } finally {
            engine.events().close();
            engine.root().close();
        }
    }

    /** See {@code PluginManager.endpoint}. */
    public RunningPlugin endpoint(Plugin p) {
        return engine.supervisor().flatMap(sup -> sup.running(p.id()))
                .orElseThrow(() -> ConflictException.disabled(p.name()));
    }

    /** Stops a plugin if the manager runs plugins; the caller holds its lock. */
    void stop(PluginRecord r) {
        engine.supervisor().ifPresent(sup -> sup.disable(r.plugin().id()));
    }

    private void start(PluginRecord r, Duration timeout) {
        PluginSupervisor sup = engine.supervisor().orElseThrow(() -> new UnavailableException("cannot enable plugin "
                + r.plugin().name() + ": no plugin runtime configured (set PluginManager.Builder.runtime)"));
        sup.enable(PluginLaunch.of(r.plugin(), rootfs(r)), timeout);
    }

    private java.nio.file.Path rootfs(PluginRecord r) {
        return engine.root().rootfs(r.plugin().id());
    }

    /**
     * Loads the root's records into the table and, with a supervisor, brings back the enabled plugins.
     *
     * @param supervisor built with this lifecycle as its listener; empty when the manager runs no plugins
     * @return the records that could not be read (skipped, left on disk, logged)
     */
    public List<PluginRoot.Problem> load(Optional<PluginSupervisor.Builder> supervisor, boolean liveRestore) {
        PluginRoot.Loaded loaded = engine.root().load();
        loaded.problems().forEach(p -> LOG.warn("error loading plugin, skipping: {}: {}", p.path(), p.message()));
        engine.table().setAll(loaded.records());
        supervisor.ifPresent(b -> {
            PluginSupervisor sup = b.listener(this).build();
            engine.supervisor(sup);
            restoreEnabled(sup, liveRestore);
        });
        return loaded.problems();
    }

    /**
     * Brings back the plugins the records say are enabled: re-attached when still running and
     * {@code liveRestore} is on, started afresh otherwise. One that cannot be brought back is marked
     * disabled.
     */
    public void restoreEnabled(PluginSupervisor sup, boolean liveRestore) {
        for (PluginRecord r : engine.table().all()) {
            if (!r.plugin().enabled()) {
                continue;
            }
            try {
                sup.restore(PluginLaunch.of(r.plugin(), rootfs(r)), liveRestore);
            } catch (RuntimeException e) {
                LOG.warn("Failed to restore plugin {}: {}", r.plugin().name(), e.toString());
                saveQuietly(r.withPlugin(r.plugin().withEnabled(false)));
            }
        }
    }

    /** Turns the supervisor's "gave up restarting" into a disabled record and an event. */
    @Override
    public void gaveUp(String id, int attempts, Throwable cause) {
        ReentrantLock lock = engine.lockFor(id);
        PluginRecord off;
        try {
            Optional<PluginRecord> r = engine.table().byId(id);
            if (r.isEmpty() || !r.get().plugin().enabled()) {
                return;
            }
            off = r.get().withPlugin(r.get().plugin().withEnabled(false));
            saveQuietly(off);
        } finally {
            lock.unlock();
        }
        engine.publish(new PluginEvent.GaveUp(off.plugin(),
                "gave up after " + attempts + " restarts: " + cause.getMessage(), engine.clock().instant()));
    }

    /** Saves a record the runtime changed; a failed save is logged, and the table still follows the runtime. */
    private void saveQuietly(PluginRecord record) {
        try {
            engine.root().save(record);
        } catch (RuntimeException e) {
            LOG.warn("cannot save plugin {}: {}", record.plugin().name(), e.toString());
        }
        engine.table().put(record);
    }
}
