package dev.berth;

import dev.berth.content.ContentStore;
import dev.berth.core.internal.event.EventHub;
import dev.berth.core.internal.event.EventJournal;
import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.PluginRoot;
import dev.berth.core.internal.operation.ListFilter;
import dev.berth.core.internal.operation.Operations;
import dev.berth.core.internal.operation.PlatformIndexPusher;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.event.EventPublisher;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.ReadOnlyException;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnavailableException;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.progress.ProgressListener;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.RestartPolicy;
import dev.berth.runtime.RunningPlugin;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Manages Docker-compatible managed plugins under one plugin root, as the Docker daemon's plugin
 * manager does: install from a registry, create from a context, push, list, inspect, set, enable,
 * disable, upgrade, remove and garbage-collect, with Docker's on-disk layout, error classes and
 * messages.
 *
 * <p>Build one with {@link #builder()} from the implementations in Berth's other modules; the
 * {@linkplain dev.berth package documentation} shows how.
 *
 * <p><b>Guarantees.</b> Install, create and upgrade build under {@code <root>/tmp/} and publish with
 * one rename: on any failure the root is as it was before (no record, no directory, no temporary
 * files, and no blob that only the failed operation used). Operations on one plugin are serialized;
 * {@link #gc()} excludes every operation that reads or writes blobs. Listeners never break an
 * operation.
 *
 * <p>The {@linkplain dev.berth package documentation} states which exceptions operations throw and what a
 * read-only manager refuses; events go to the root's journal and to subscribers ({@link #events()}).
 *
 * <p>Thread-safe. See {@link #close()} for what happens to running plugins.
 */
public final class PluginManager implements AutoCloseable {
    private final Engine engine;
    private final Executor executor;
    private final boolean liveRestore;
    private final List<PluginRoot.Problem> problems;
    private final Operations ops;
    private final PlatformIndexPusher indexPusher;
    private final Events events;

    private PluginManager(Builder b) {
        PluginRoot root = PluginRoot.open(b.root, b.readOnly, b.rootLockWait);
        EventHub hub = new EventHub(b.publishers,
                EventJournal.open(b.root, !b.readOnly, b.journalEntries, b.journalAge, b.clock), b.clock);
        this.engine = new Engine(root, b.contentStore, b.registryResolver, b.platform, hub,
                b.progressListener, b.idGenerator, b.clock, b.readOnly, b.maxConcurrentDownloads);
        this.events = new Events(engine);
        this.liveRestore = b.liveRestore;
        this.executor = b.executor;
        this.ops = Operations.wire(engine, b.rootfsApplier, Optional.ofNullable(b.contextSplitter), b.executor,
                b.gcAfterRemove, b.enableTimeout, b.dockerVersion, b.maxConcurrentUploads);
        this.indexPusher = new PlatformIndexPusher(engine, ops.pusher());
        try {
            this.problems = ops.lifecycle().load(b.runtime == null || b.readOnly ? Optional.empty()
                    : Optional.of(PluginSupervisor.builder().runtime(b.runtime).execRoot(b.execRoot)
                    .socketTimeout(b.enableTimeout).stopTimeout(b.stopTimeout).restartPolicy(b.restartPolicy)
                    .activate(true).callTimeout(b.activateTimeout)), liveRestore);
            if (!b.readOnly && b.gcAfterRemove) {
                ops.gc().collectAtOpen(root.exclusive(), problems.size());
            }
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Records found at open that could not be read, as {@code path: message}; skipped and left on disk. */
    public List<String> loadProblems() {
        return problems.stream().map(p -> p.path() + ": " + p.message()).toList();
    }

    /**
     * The plugin a name, full ID or unique ID prefix designates (Docker's resolution order).
     *
     * @throws NotFoundException         {@code plugin "<x>" not found}
     * @throws InvalidParameterException {@code multiple plugins found for "<x>"}
     */
    public Plugin inspect(String nameOrId) {
        Objects.requireNonNull(nameOrId, "nameOrId");
        return Boundary.call(() -> engine.table().resolve(nameOrId).plugin());
    }

    /** Every plugin, sorted by name. */
    public List<Plugin> list() {
        return list(Map.of());
    }

    /**
     * The plugins that pass the filters: {@code enabled} ({@code true} or {@code false}) and
     * {@code capability} (a plugin passes when every one of its capabilities equals a value or
     * matches it as an unanchored regular expression, as in Docker).
     *
     * @throws InvalidParameterException for another key or an invalid value
     */
    public List<Plugin> list(Map<String, List<String>> filters) {
        Objects.requireNonNull(filters, "filters");
        return Boundary.call(() -> engine.table().all().stream().map(PluginRecord::plugin)
                .filter(ListFilter.parse(filters)).toList());
    }

    /**
     * The host-facing lookup: the enabled plugin that provides {@code capability}, with its reference
     * count changed by {@code mode}.
     *
     * @throws NotFoundException  when no such plugin exists
     * @throws ConflictException  {@code plugin <name> found but disabled}
     * @throws SystemException    {@code plugin does not provide "<cap>" capability}; the count is unchanged
     */
    public Plugin get(String nameOrId, String capability, GetMode mode) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(capability, "capability");
        return Boundary.call(() -> ops.lifecycle().get(inspect(nameOrId), capability, mode.delta()));
    }

    /**
     * Every enabled plugin that provides {@code capability} ({@code volumedriver}, {@code authz}, ...; as
     * Docker's {@code GetAllByCap}), sorted by name, counts unchanged: take one with {@link GetMode#ACQUIRE}.
     */
    public List<Plugin> getAllByCap(String capability) {
        Objects.requireNonNull(capability, "capability");
        return Boundary.call(() -> ops.lifecycle().getAllByCap(capability));
    }

    /** The current reference count of a plugin (in memory only, 0 after open). */
    public int refCount(String nameOrId) {
        return engine.table().refCount(inspect(nameOrId).id());
    }

    /**
     * How the host reaches an enabled plugin: its socket, its transport (through which clients call it,
     * for a real plugin HTTP over the socket) and what its {@code /Plugin.Activate}, which the manager
     * calls after every start, reported in {@code Implements}.
     *
     * @throws ConflictException {@code plugin <name> found but disabled}
     */
    public RunningPlugin endpoint(String nameOrId) {
        return Boundary.call(() -> ops.lifecycle().endpoint(inspect(nameOrId)));
    }

    /**
     * The privileges the plugin at {@code remote} requires, in Docker's order. Unlike Docker, errors
     * (authentication, not found, network) are reported, and manifest lists are followed to the host
     * platform's manifest (the manager's {@linkplain PluginManagerBuilder#platform(Platform) platform} when set).
     */
    public List<PluginPrivilege> privileges(String remote) {
        return Boundary.call(() -> ops.installer().privileges(remote, Optional.empty()));
    }

    /**
     * {@link #privileges(String)} of the entry for {@code platform} when {@code remote} is a manifest list
     * or an OCI index.
     *
     * @throws dev.berth.exception.PlatformNotFoundException when the index has no entry for it
     */
    public List<PluginPrivilege> privileges(String remote, Platform platform) {
        Objects.requireNonNull(platform, "platform");
        return Boundary.call(() -> ops.installer().privileges(remote, Optional.of(platform)));
    }

    /**
     * The privileges the plugin at {@code remote} in {@code source} requires, as {@link #privileges(String)}
     * but looked up in {@code source} (an OCI archive or layout, say) instead of the manager's resolver.
     */
    public List<PluginPrivilege> privileges(String remote, RegistryResolver source) {
        Objects.requireNonNull(source, "source");
        return Boundary.call(() -> ops.installer().privileges(remote, source));
    }

    /** Starts an install of the plugin at {@code remote}; see {@link InstallOperation}. */
    public InstallOperation install(String remote) {
        Boundary.run(() -> engine.checkWritable("install"));
        return new InstallOperation(this, ops.installer(), remote);
    }

    /**
     * Creates a plugin from a context ({@code docker plugin create}): a tar stream, plain or gzip,
     * holding {@code config.json} and {@code rootfs/}. The context is read once and not closed.
     *
     * @param name the local name, e.g. {@code localhost:5000/acme/volume:1.0}
     * @throws InvalidParameterException for a bad name, a digest in the name, or a config that is not
     *                                   valid JSON
     * @throws ConflictException         when the name is taken
     */
    public Plugin create(String name, InputStream context) {
        return create(name, context, CreateOptions.defaults());
    }

    /**
     * {@link #create(String, InputStream)} with options: {@link CreateOptions#withPlatform(Platform)}
     * records the platform the rootfs is built for ({@code berth create --platform}), so that
     * {@link #pushIndex} can list the plugin under it.
     */
    public Plugin create(String name, InputStream context, CreateOptions options) {
        Objects.requireNonNull(options, "options");
        return Boundary.call(() -> ops.creator().create(name, context, options.platform()));
    }

    /**
     * Pushes a plugin under its local name ({@code docker plugin push}): config and layers first,
     * then the manifest. A manifest missing from the store is rebuilt and recorded.
     */
    public PushedPlugin push(String nameOrId) {
        return Boundary.call(() -> ops.pusher().push(nameOrId));
    }

    /**
     * Exports plugins into {@code target} ({@code berth save}): for each, its config, layers and manifest, byte
     * for byte as stored, pushed under its name (tag {@code latest} when it has none). With an
     * {@code OciArchiveWriter} (module {@code dev.berth.registry}) this writes an {@code oci-archive} tar that
     * skopeo, containerd and {@link InstallOperation#from} read; with an {@code OciLayoutResolver}, a layout
     * directory on any file system. Blobs are streamed from the store and verified, never held in memory.
     * A read operation: it runs on this manager beside others (read-only managers too), each plugin under
     * its own lock in turn, and writes nothing into the root, unless a manifest missing from the store must
     * be rebuilt, as for {@link #push}.
     *
     * @param namesOrIds the plugins, each resolved as {@link #inspect} does; all are resolved before anything
     *                   is written
     * @return what was written, one per plugin, in order
     * @throws NotFoundException         for an unknown name (nothing written)
     * @throws InvalidParameterException for an empty list or a name that is not a valid reference
     */
    public List<PushedPlugin> export(List<String> namesOrIds, RegistryResolver target) {
        Objects.requireNonNull(namesOrIds, "namesOrIds");
        Objects.requireNonNull(target, "target");
        return Boundary.call(() -> ops.exporter().export(List.copyOf(namesOrIds), target));
    }

    /**
     * Pushes several platform variants of one plugin under one tag ({@code berth push --index}): each
     * plugin's config, layers and manifest by digest into {@code target}'s repository, then an index
     * listing those manifests with their {@code platform} under {@code target}'s tag. Docker cannot install
     * from an index (moby#44870) but installs each entry by digest; Berth installs from the index, selecting
     * the platform ({@link InstallOperation#platform}). The index is compact JSON in Go's field order, so
     * the same variants always give the same digest.
     *
     * @param target  {@code repository[:tag]}; {@code latest} when no tag is given
     * @param plugins names or IDs of the variants, in the order the index lists them; each must record its
     *                platform ({@link CreateOptions#withPlatform}), and no two may match the same platform
     * @param options an OCI image index or a Docker manifest list; whether each variant is also tagged
     * @throws InvalidParameterException for a digest in {@code target}, no plugins, a plugin listed twice,
     *                                   without a platform, or two plugins for one platform; all checked
     *                                   before anything is uploaded
     */
    public PushedIndex pushIndex(String target, List<String> plugins, PushIndexOptions options) {
        Objects.requireNonNull(plugins, "plugins");
        Objects.requireNonNull(options, "options");
        return Boundary.call(() -> indexPusher.push(target, plugins, options.format(), options.platformTags()));
    }

    /** {@link #pushIndex(String, List, PushIndexOptions)} as an OCI image index, variants by digest only. */
    public PushedIndex pushIndex(String target, List<String> plugins) {
        return pushIndex(target, plugins, PushIndexOptions.defaults());
    }

    /**
     * Applies {@code KEY[.FIELD]=VALUE} settings ({@code docker plugin set}). All arguments are
     * checked before any is applied; mount sources and device paths change the config and the
     * settings, so what runs is what was set.
     *
     * @throws ConflictException         when the plugin is enabled
     * @throws InvalidParameterException for a malformed, unknown or unsettable argument
     */
    public Plugin set(String nameOrId, List<String> args) {
        Objects.requireNonNull(args, "args");
        return Boundary.call(() -> ops.lifecycle().set(nameOrId, args));
    }

    /**
     * Removes a plugin ({@code docker plugin rm}). With {@code force}, an enabled or referenced
     * plugin is disabled first. The directory is renamed to {@code <id>-removing} before it is
     * deleted, so an interruption never leaves a half plugin under its ID.
     *
     * @throws ConflictException {@code plugin <name> is in use} or {@code plugin <name> is enabled}
     */
    public void remove(String nameOrId, boolean force) {
        Boundary.run(() -> ops.remover().remove(nameOrId, force));
    }

    /** Starts an upgrade of an installed plugin; see {@link UpgradeOperation}. */
    public UpgradeOperation upgrade(String nameOrId) {
        Boundary.run(() -> engine.checkWritable("upgrade"));
        return new UpgradeOperation(this, ops.installer(), nameOrId);
    }

    /**
     * Enables a plugin: runs it through the runtime and waits for its socket.
     *
     * @throws ConflictException    {@code plugin already enabled: plugin <name> is enabled}
     * @throws UnavailableException when the manager has no runtime
     */
    public Plugin enable(String nameOrId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Boundary.call(() -> ops.lifecycle().enable(nameOrId, timeout));
    }

    /**
     * Disables a plugin: stops it (SIGTERM, then SIGKILL after the runtime's grace period).
     *
     * @param force ignore the reference count (it does not make the stop harsher)
     * @throws ConflictException {@code plugin <name> is in use}, or
     *                           {@code plugin is already disabled: plugin <name> found but disabled}
     */
    public Plugin disable(String nameOrId, boolean force) {
        return Boundary.call(() -> ops.lifecycle().disable(nameOrId, force));
    }

    /**
     * Deletes every blob that no plugin uses. Marks, for every record, its config, its manifest and
     * its layers (Docker forgets manifests and usually layers, and so deletes blobs still needed).
     * Excludes every other operation on blobs while it runs.
     */
    public GcResult gc() {
        return Boundary.call(ops.gc()::collect);
    }

    /**
     * Runs {@code operation} (any calls on this manager) in the background on the manager's executor,
     * with its own progress listener and deadline, and returns a handle that can cancel it; see
     * {@link PluginTask}. With the default executor, which runs tasks on the caller's thread, this returns
     * after the operation: give the builder a real executor for background work.
     */
    public <T> PluginTask<T> submit(OperationOptions options, Function<PluginManager, T> operation) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(operation, "operation");
        return PluginTask.start(executor, engine.clock(), options, () -> operation.apply(this));
    }

    Clock clock() {
        return engine.clock();
    }

    /**
     * The manager's events: subscriptions with filters, delivered off the operation's thread, and the
     * journal of recent events in the root (readable by any manager on the root, read-only ones too).
     */
    public Events events() {
        return events;
    }

    /**
     * Closes the manager: further operations fail with an {@link IllegalStateException}. Subscriptions
     * deliver what they have queued and end. With live restore, running plugins keep running and a manager
     * opened on the same root later re-attaches to them; without it they are stopped but stay marked
     * enabled, so the next manager starts them again (Docker's daemon shutdown). Idempotent. The root's
     * lock is released even when stopping a plugin fails; that failure is then a {@link SystemException}.
     */
    @Override
    public void close() {
        if (engine.close()) {
            ops.lifecycle().close(liveRestore);
        }
    }

    /**
     * Builds a {@link PluginManager}: the setters are those of {@link PluginManagerBuilder}; {@link #build()}
     * names every missing required collaborator. Not thread-safe.
     */
    public static final class Builder extends PluginManagerBuilder<Builder> {
        private Builder() {
        }

        /**
         * Opens the root and loads its plugins.
         * @throws IllegalStateException naming every missing required collaborator
         * @throws SystemException       if the root cannot be created or read
         */
        public PluginManager build() {
            checkComplete();
            return new PluginManager(this);
        }
    }
}
