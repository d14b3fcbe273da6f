package dev.berth;

import dev.berth.content.ContentStore;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.PluginRoot;
import dev.berth.core.internal.operation.ListFilter;
import dev.berth.core.internal.operation.Operations;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.event.EventPublisher;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
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
 * <p>Thread-safe. See {@link #close()} for what happens to running plugins.
 */
public final class PluginManager implements AutoCloseable {
    private final Engine engine;
    private final Executor executor;
    private final boolean liveRestore;
    private final List<PluginRoot.Problem> problems;
    private final Operations ops;

    private PluginManager(Builder b) {
        PluginRoot root = PluginRoot.open(b.root, b.readOnly, b.rootLockWait);
        this.engine = new Engine(root, b.contentStore, b.registryResolver, b.platform, b.publishers,
                b.progressListener, b.idGenerator, b.clock, b.readOnly, b.maxConcurrentDownloads);
        this.liveRestore = b.liveRestore;
        this.executor = b.executor;
        this.ops = Operations.wire(engine, b.rootfsApplier, Optional.ofNullable(b.contextSplitter), b.executor,
                b.gcAfterRemove, b.enableTimeout, b.dockerVersion, b.maxConcurrentUploads);
        try {
            this.problems = ops.lifecycle().load(b.runtime == null || b.readOnly ? Optional.empty()
                    : Optional.of(PluginSupervisor.builder().runtime(b.runtime).execRoot(b.execRoot)
                    .socketTimeout(b.enableTimeout).stopTimeout(b.stopTimeout).restartPolicy(b.restartPolicy)
                    .activate(true).callTimeout(b.activateTimeout)), liveRestore);
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
        return engine.table().resolve(nameOrId).plugin();
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
        ListFilter filter = ListFilter.parse(filters);
        return engine.table().all().stream().map(PluginRecord::plugin).filter(filter).toList();
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
        return ops.lifecycle().get(inspect(nameOrId), Objects.requireNonNull(capability, "capability"), mode.delta());
    }

    /**
     * Every enabled plugin that provides {@code capability} ({@code volumedriver}, {@code authz}, ...; as
     * Docker's {@code GetAllByCap}), sorted by name, counts unchanged: take one with {@link GetMode#ACQUIRE}.
     */
    public List<Plugin> getAllByCap(String capability) {
        return ops.lifecycle().getAllByCap(Objects.requireNonNull(capability, "capability"));
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
        return ops.lifecycle().endpoint(inspect(nameOrId));
    }

    /**
     * The privileges the plugin at {@code remote} requires, in Docker's order. Unlike Docker, errors
     * (authentication, not found, network) are reported, and manifest lists are followed to the host
     * platform's manifest.
     */
    public List<PluginPrivilege> privileges(String remote) {
        return ops.installer().privileges(remote);
    }

    /** Starts an install of the plugin at {@code remote}; see {@link InstallOperation}. */
    public InstallOperation install(String remote) {
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
        return ops.creator().create(name, context);
    }

    /**
     * Pushes a plugin under its local name ({@code docker plugin push}): config and layers first,
     * then the manifest. A manifest missing from the store is rebuilt and recorded.
     */
    public PushedPlugin push(String nameOrId) {
        return ops.pusher().push(nameOrId);
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
        return ops.lifecycle().set(nameOrId, args);
    }

    /**
     * Removes a plugin ({@code docker plugin rm}). With {@code force}, an enabled or referenced
     * plugin is disabled first. The directory is renamed to {@code <id>-removing} before it is
     * deleted, so an interruption never leaves a half plugin under its ID.
     *
     * @throws ConflictException {@code plugin <name> is in use} or {@code plugin <name> is enabled}
     */
    public void remove(String nameOrId, boolean force) {
        ops.remover().remove(nameOrId, force);
    }

    /** Starts an upgrade of an installed plugin; see {@link UpgradeOperation}. */
    public UpgradeOperation upgrade(String nameOrId) {
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
        return ops.lifecycle().enable(nameOrId, timeout);
    }

    /**
     * Disables a plugin: stops it (SIGTERM, then SIGKILL after the runtime's grace period).
     *
     * @param force ignore the reference count (it does not make the stop harsher)
     * @throws ConflictException {@code plugin <name> is in use}, or
     *                           {@code plugin is already disabled: plugin <name> found but disabled}
     */
    public Plugin disable(String nameOrId, boolean force) {
        return ops.lifecycle().disable(nameOrId, force);
    }

    /**
     * Deletes every blob that no plugin uses. Marks, for every record, its config, its manifest and
     * its layers (Docker forgets manifests and usually layers, and so deletes blobs still needed).
     * Excludes every other operation on blobs while it runs.
     */
    public GcResult gc() {
        return ops.gc().collect();
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
     * Closes the manager: further operations fail. With live restore, running plugins keep running
     * and a manager opened on the same root later re-attaches to them; without it they are stopped
     * but stay marked enabled, so the next manager starts them again (Docker's daemon shutdown).
     * Idempotent.
     */
    @Override
    public void close() {
        if (!engine.close()) {
            return;
        }
        try {
            engine.supervisor().ifPresent(sup -> {
                if (!liveRestore) {
                    sup.disableAll();
                }
                sup.close();
            });
        } finally {
            engine.root().close();
        }
    }

    /**
     * Builds a {@link PluginManager}. Setters are named after what they set; {@link #build()} names
     * every missing required collaborator. Not thread-safe.
     */
    public static final class Builder {
        private Path root;
        private ContentStore contentStore;
        private RegistryResolver registryResolver;
        private RootfsApplier rootfsApplier;
        private ContextSplitter contextSplitter;
        private final List<EventPublisher> publishers = new ArrayList<>();
        private ProgressListener progressListener = ProgressListener.NONE;
        private Supplier<String> idGenerator = () -> Engine.randomHex(32);
        private Executor executor = Runnable::run;
        private Clock clock = Clock.systemUTC();
        private Platform platform = Platform.host();
        private String dockerVersion = "";
        private boolean gcAfterRemove = true;
        private boolean readOnly;
        private Duration enableTimeout = Duration.ofSeconds(30);
        private Duration activateTimeout = Duration.ofSeconds(5);
        private PluginRuntime runtime;
        private Path execRoot = Path.of("/run/berth/plugins");
        private Duration stopTimeout = Duration.ofSeconds(10);
        private RestartPolicy restartPolicy = RestartPolicy.DEFAULT;
        private boolean liveRestore;
        private int maxConcurrentDownloads = 3;
        private int maxConcurrentUploads = 5;
        private Duration rootLockWait = Duration.ZERO;

        private Builder() {
        }

        /** Runs enabled plugins; without one, {@link PluginManager#enable} fails with a clear message. @return this */
        public Builder runtime(PluginRuntime value) {
            runtime = Objects.requireNonNull(value, "runtime");
            return this;
        }

        /** Where plugins get their socket directories, {@code <execRoot>/<id>/} (/run/berth/plugins). @return this */
        public Builder execRoot(Path value) {
            execRoot = Objects.requireNonNull(value, "execRoot");
            return this;
        }

        /** How long disable waits after SIGTERM before SIGKILL (10 s, as Docker). @return this */
        public Builder stopTimeout(Duration value) {
            stopTimeout = Objects.requireNonNull(value, "stopTimeout");
            return this;
        }

        /** How crashed plugins are restarted (bounded exponential backoff by default). @return this */
        public Builder restartPolicy(RestartPolicy value) {
            restartPolicy = Objects.requireNonNull(value, "restartPolicy");
            return this;
        }

        /** Keep plugins running across {@link PluginManager#close()} and re-attach at open. @return this */
        public Builder liveRestore(boolean value) {
            liveRestore = value;
            return this;
        }

        /** The plugin root ({@code /var/lib/docker/plugins} for Docker). Required. @return this */
        public Builder root(Path value) {
            root = Objects.requireNonNull(value, "root");
            return this;
        }

        /** The content store, normally a {@code FileContentStore} at {@code <root>/storage}. Required. @return this */
        public Builder contentStore(ContentStore value) {
            contentStore = Objects.requireNonNull(value, "contentStore");
            return this;
        }

        /** How references are resolved, fetched and pushed. Required. @return this */
        public Builder registryResolver(RegistryResolver value) {
            registryResolver = Objects.requireNonNull(value, "registryResolver");
            return this;
        }

        /** How layers are applied onto a rootfs. Required. @return this */
        public Builder rootfsApplier(RootfsApplier value) {
            rootfsApplier = Objects.requireNonNull(value, "rootfsApplier");
            return this;
        }

        /** How create contexts are split; without one, {@link PluginManager#create} fails. @return this */
        public Builder contextSplitter(ContextSplitter value) {
            contextSplitter = Objects.requireNonNull(value, "contextSplitter");
            return this;
        }

        /** Adds an event publisher. @return this */
        public Builder addEventPublisher(EventPublisher value) {
            publishers.add(Objects.requireNonNull(value, "publisher"));
            return this;
        }

        /** Where per-blob progress goes. @return this */
        public Builder progressListener(ProgressListener value) {
            progressListener = Objects.requireNonNull(value, "progressListener");
            return this;
        }

        /** Where new plugin IDs come from (64 lower-case hex characters; random by default). @return this */
        public Builder idGenerator(Supplier<String> value) {
            idGenerator = Objects.requireNonNull(value, "idGenerator");
            return this;
        }

        /** The clock that stamps events. @return this */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Runs background work (tasks, the GC after a remove); the caller's thread by default. @return this */
        public Builder executor(Executor value) {
            executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** How many layers of one install or upgrade download at once (3, as Docker). @return this */
        public Builder maxConcurrentDownloads(int value) {
            maxConcurrentDownloads = requirePositive(value, "maxConcurrentDownloads");
            return this;
        }

        /** How long {@link #build()} waits for a root another manager holds (none: fail, naming its pid). @return this */
        public Builder rootLockWait(Duration value) {
            rootLockWait = Objects.requireNonNull(value, "rootLockWait");
            return this;
        }

        /** How many blobs of one push upload at once (5, as Docker). @return this */
        public Builder maxConcurrentUploads(int value) {
            maxConcurrentUploads = requirePositive(value, "maxConcurrentUploads");
            return this;
        }

        /** The platform chosen from manifest lists; the JVM's by default. @return this */
        public Builder platform(Platform value) {
            platform = Objects.requireNonNull(value, "platform");
            return this;
        }

        /** The {@code DockerVersion} written into created configs; empty, and so omitted, by default. @return this */
        public Builder dockerVersion(String value) {
            dockerVersion = Objects.requireNonNull(value, "dockerVersion");
            return this;
        }

        /** Whether a remove is followed by a GC, as in Docker (default true). @return this */
        public Builder gcAfterRemove(boolean value) {
            gcAfterRemove = value;
            return this;
        }

        /**
         * Opens the root without writing anything: no leftover cleanup, and every changing operation
         * fails. For looking into a Docker {@code plugins} directory. @return this
         */
        public Builder readOnly(boolean value) {
            readOnly = value;
            return this;
        }

        /**
         * The deadline of {@code /Plugin.Activate} after an enable (5 s); its {@code Implements} must cover the
         * config's {@code docker.*} types or the enable fails ({@link PluginManager#endpoint}). @return this
         */
        public Builder activateTimeout(Duration value) {
            if (Objects.requireNonNull(value, "activateTimeout").isNegative() || value.isZero()) {
                throw new IllegalArgumentException("activateTimeout must be positive: " + value);
            }
            activateTimeout = value;
            return this;
        }

        /** The default enable timeout, for installs that enable (30 s, Docker's default). @return this */
        public Builder enableTimeout(Duration value) {
            enableTimeout = Objects.requireNonNull(value, "enableTimeout");
            return this;
        }

        /**
         * Opens the root and loads its plugins.
         * @throws IllegalStateException naming every missing required collaborator
         * @throws SystemException       if the root cannot be created or read
         */
        public PluginManager build() {
            List<String> missing = new ArrayList<>();
            addIfAbsent(missing, "root", root);
            addIfAbsent(missing, "contentStore", contentStore);
            addIfAbsent(missing, "registryResolver", registryResolver);
            addIfAbsent(missing, "rootfsApplier", rootfsApplier);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("PluginManager.Builder is missing: " + String.join(", ", missing));
            }
            return new PluginManager(this);
        }

        private static int requirePositive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
            return value;
        }

        private static void addIfAbsent(List<String> missing, String name, Object value) {
            if (value == null) {
                missing.add(name);
            }
        }
    }
}
