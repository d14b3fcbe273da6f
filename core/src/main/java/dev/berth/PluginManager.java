package dev.berth;

import dev.berth.content.ContentStore;
import dev.berth.core.internal.event.EventHub;
import dev.berth.core.internal.event.EventJournal;
import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.PluginRoot;
import dev.berth.core.internal.operation.Creator;
import dev.berth.core.internal.operation.GarbageCollector;
import dev.berth.core.internal.operation.Installer;
import dev.berth.core.internal.operation.Lifecycle;
import dev.berth.core.internal.operation.ListFilter;
import dev.berth.core.internal.operation.PluginPusher;
import dev.berth.core.internal.operation.Remover;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.event.EventPublisher;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PluginException;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manages Docker-compatible managed plugins under one plugin root, as the Docker daemon's plugin
 * manager does: install from a registry, create from a context, push, list, inspect, set, enable,
 * disable, upgrade, remove and garbage-collect, with Docker's on-disk layout, error classes and
 * messages.
 *
 * <p>Build one with {@link #builder()} from the implementations in Berth's other modules:
 * <pre>{@code
 * Path root = Path.of("/var/lib/myapp/plugins");
 * try (PluginManager plugins = PluginManager.builder()
 *         .root(root)
 *         .contentStore(FileContentStore.open(root.resolve("storage")))
 *         .registryResolver(HttpRegistryResolver.builder().build())
 *         .rootfsApplier(TarRootfsApplier.create())
 *         .contextSplitter(TarContextSplitter.create())
 *         .runtime(RuncRuntime.builder().build())
 *         .build()) {
 *     List<PluginPrivilege> asked = plugins.privileges("localhost:5000/acme/volume:1.0");
 *     Plugin p = plugins.install("localhost:5000/acme/volume:1.0").grant(asked).disabled().run();
 *     plugins.set(p.name(), List.of("DEBUG=1"));
 *     plugins.enable(p.name(), Duration.ofSeconds(30));
 * }
 * }</pre>
 * A runnable version (without the runtime) is {@code dev.berth.examples.QuickStart} in the examples module.
 *
 * <p><b>Guarantees.</b> Install, create and upgrade build under {@code <root>/tmp/} and publish with
 * one rename: on any failure the root is as it was before (no record, no directory, no temporary
 * files, and no blob that only the failed operation used). Operations on one plugin are serialized;
 * {@link #gc()} excludes every operation that reads or writes blobs. Listeners never break an
 * operation.
 *
 * <p><b>Exceptions.</b> Every operation fails with a {@link PluginException} whose
 * {@link PluginException#category() category} is Docker's error class; for the categories with a class of
 * their own ({@code NotFoundException}, {@code InvalidParameterException}, {@code ConflictException},
 * {@code UnauthorizedException}, {@code ForbiddenException}, {@code UnavailableException}) the exception
 * is an instance of it (one older exception keeps its own class: {@code PrivilegesNotGrantedException},
 * category {@code INVALID_PARAMETER}), and failures of the collaborators (an {@code IOException} or any runtime
 * exception of a store, registry, applier or runtime) arrive as {@code SystemException} or a more specific
 * {@code SYSTEM}-category subclass. A {@code RegistryException} whose category has its own class arrives
 * as that class, with the registry exception (and its reason) as the cause. The only other exceptions
 * are {@link NullPointerException} and {@link IllegalArgumentException} for a caller's programming error,
 * and {@link IllegalStateException} for any call on a closed manager.
 *
 * <p><b>Read-only.</b> A manager built with {@link Builder#readOnly(boolean) readOnly(true)} refuses every
 * call that would change the root or the content store (install, create, set, enable, disable, upgrade,
 * remove, gc) with a {@link ReadOnlyException} before it reads a registry or writes anything. Push is
 * allowed, since it only reads the root, unless the plugin's manifest must be rebuilt first (then it is
 * refused the same way).
 *
 * <p><b>Events</b> go to the journal in the root and to subscribers; see {@link #events()}.
 *
 * <p>Thread-safe. See {@link #close()} for what happens to running plugins.
 */
public final class PluginManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

    private final Engine engine;
    private final boolean liveRestore;
    private final List<PluginRoot.Problem> problems;
    private final Lifecycle lifecycle;
    private final GarbageCollector gc;
    private final Remover remover;
    private final Installer installer;
    private final Creator creator;
    private final PluginPusher pusher;
    private final Events events;

    private PluginManager(Builder b) {
        PluginRoot root = PluginRoot.open(b.root, b.readOnly);
        EventHub hub = new EventHub(b.publishers,
                EventJournal.open(b.root, !b.readOnly, b.journalEntries, b.journalAge, b.clock), b.clock);
        this.engine = new Engine(root, b.contentStore, b.registryResolver, b.platform, hub,
                b.progressListener, b.idGenerator, b.clock, b.readOnly);
        this.events = new Events(engine);
        this.liveRestore = b.liveRestore;
        this.lifecycle = new Lifecycle(engine);
        this.gc = new GarbageCollector(engine);
        this.remover = new Remover(engine, lifecycle, gc, b.executor, b.gcAfterRemove);
        this.installer = new Installer(engine, b.rootfsApplier, lifecycle, remover, b.enableTimeout);
        this.creator = new Creator(engine, Optional.ofNullable(b.contextSplitter), b.rootfsApplier, b.dockerVersion);
        this.pusher = new PluginPusher(engine);
        try {
            PluginRoot.Loaded loaded = root.load();
            this.problems = loaded.problems();
            problems.forEach(p -> LOG.warn("error loading plugin, skipping: {}: {}", p.path(), p.message()));
            engine.table().setAll(loaded.records());
            if (b.runtime != null && !b.readOnly) {
                PluginSupervisor sup = PluginSupervisor.builder().runtime(b.runtime).execRoot(b.execRoot)
                        .socketTimeout(b.enableTimeout).stopTimeout(b.stopTimeout).restartPolicy(b.restartPolicy)
                        .listener(lifecycle).build();
                engine.supervisor(sup);
                lifecycle.restoreEnabled(sup, liveRestore);
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

    /**
     * Records found at open that could not be read, as {@code path: message}. They were skipped and
     * left on disk.
     */
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
        return Boundary.call(() -> {
            ListFilter filter = ListFilter.parse(filters);
            return engine.table().all().stream().map(PluginRecord::plugin).filter(filter).toList();
        });
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
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(mode, "mode");
        Plugin p = inspect(nameOrId);
        if (!p.enabled()) {
            throw ConflictException.disabled(p.name());
        }
        if (!p.config().provides(capability)) {
            throw new SystemException("plugin does not provide \"" + capability.toLowerCase(Locale.ROOT) + "\" capability");
        }
        engine.table().addRef(p.id(), mode.delta());
        return p;
    }

    /** The current reference count of a plugin (in memory only, 0 after open). */
    public int refCount(String nameOrId) {
        return engine.table().refCount(inspect(nameOrId).id());
    }

    /**
     * How the host reaches an enabled plugin: its socket and the capabilities its activation reported.
     *
     * @throws ConflictException {@code plugin <name> found but disabled}
     */
    public RunningPlugin endpoint(String nameOrId) {
        return Boundary.call(() -> lifecycle.endpoint(inspect(nameOrId)));
    }

    /**
     * The privileges the plugin at {@code remote} requires, in Docker's order. Unlike Docker, errors
     * (authentication, not found, network) are reported, and manifest lists are followed to the host
     * platform's manifest.
     */
    public List<PluginPrivilege> privileges(String remote) {
        return Boundary.call(() -> installer.privileges(remote));
    }

    /** Starts an install of the plugin at {@code remote}; see {@link InstallOperation}. */
    public InstallOperation install(String remote) {
        Boundary.run(() -> engine.checkWritable("install"));
        return new InstallOperation(installer, remote);
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
        Boundary.run(() -> engine.checkWritable("create"));
        return Boundary.call(() -> creator.create(name, context));
    }

    /**
     * Pushes a plugin under its local name ({@code docker plugin push}): config and layers first,
     * then the manifest. A manifest missing from the store is rebuilt and recorded.
     */
    public PushedPlugin push(String nameOrId) {
        return Boundary.call(() -> pusher.push(nameOrId));
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
        Boundary.run(() -> engine.checkWritable("set"));
        return Boundary.call(() -> lifecycle.set(nameOrId, args));
    }

    /**
     * Removes a plugin ({@code docker plugin rm}). With {@code force}, an enabled or referenced
     * plugin is disabled first. The directory is renamed to {@code <id>-removing} before it is
     * deleted, so an interruption never leaves a half plugin under its ID.
     *
     * @throws ConflictException {@code plugin <name> is in use} or {@code plugin <name> is enabled}
     */
    public void remove(String nameOrId, boolean force) {
        Boundary.run(() -> engine.checkWritable("remove"));
        Boundary.run(() -> remover.remove(nameOrId, force));
    }

    /** Starts an upgrade of an installed plugin; see {@link UpgradeOperation}. */
    public UpgradeOperation upgrade(String nameOrId) {
        Boundary.run(() -> engine.checkWritable("upgrade"));
        return new UpgradeOperation(installer, nameOrId);
    }

    /**
     * Enables a plugin: runs it through the runtime and waits for its socket.
     *
     * @throws ConflictException    {@code plugin already enabled: plugin <name> is enabled}
     * @throws UnavailableException when the manager has no runtime
     */
    public Plugin enable(String nameOrId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Boundary.run(() -> engine.checkWritable("enable"));
        return Boundary.call(() -> lifecycle.enable(nameOrId, timeout));
    }

    /**
     * Disables a plugin: stops it (SIGTERM, then SIGKILL after the runtime's grace period).
     *
     * @param force ignore the reference count (it does not make the stop harsher)
     * @throws ConflictException {@code plugin <name> is in use}, or
     *                           {@code plugin is already disabled: plugin <name> found but disabled}
     */
    public Plugin disable(String nameOrId, boolean force) {
        Boundary.run(() -> engine.checkWritable("disable"));
        return Boundary.call(() -> lifecycle.disable(nameOrId, force));
    }

    /**
     * Deletes every blob that no plugin uses. Marks, for every record, its config, its manifest and
     * its layers (Docker forgets manifests and usually layers, and so deletes blobs still needed).
     * Excludes every other operation on blobs while it runs.
     */
    public GcResult gc() {
        Boundary.run(() -> engine.checkWritable("gc"));
        return Boundary.call(gc::collect);
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
     * deliver what they have queued and end; close does not wait for them. With live restore, running plugins keep running
     * and a manager opened on the same root later re-attaches to them; without it they are stopped
     * but stay marked enabled, so the next manager starts them again (Docker's daemon shutdown).
     * Idempotent. The root's lock is released even when stopping a plugin fails; that failure is then
     * thrown as a {@link SystemException}.
     */
    @Override
    public void close() {
        if (!engine.close()) {
            return;
        }
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
        private int journalEntries = 1000;
        private Duration journalAge = Duration.ofDays(7);
        private ProgressListener progressListener = ProgressListener.NONE;
        private Supplier<String> idGenerator = () -> Engine.randomHex(32);
        private Executor executor = Runnable::run;
        private Clock clock = Clock.systemUTC();
        private Platform platform = Platform.host();
        private String dockerVersion = "";
        private boolean gcAfterRemove = true;
        private boolean readOnly;
        private Duration enableTimeout = Duration.ofSeconds(30);
        private PluginRuntime runtime;
        private Path execRoot = Path.of("/run/berth/plugins");
        private Duration stopTimeout = Duration.ofSeconds(10);
        private RestartPolicy restartPolicy = RestartPolicy.DEFAULT;
        private boolean liveRestore;

        private Builder() {
        }

        /** Runs enabled plugins; without one, {@link PluginManager#enable} fails with a clear message. @return this */
        public Builder runtime(PluginRuntime value) {
            runtime = Objects.requireNonNull(value, "runtime");
            return this;
        }

        /**
         * Where running plugins get their socket directories, {@code <execRoot>/<id>/}
         * ({@code /run/berth/plugins} by default; Docker uses {@code /run/docker/plugins}). @return this
         */
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

        /**
         * Adds an event publisher, called synchronously on the thread of the operation, after the change
         * is on disk: a slow publisher delays the operation (a throwing one is logged and ignored).
         *
         * @return this
         * @deprecated use {@link PluginManager#events()}{@code .subscribe(filter, listener)}: delivered on
         *             a thread of its own through a bounded queue, so it never delays an operation, and it
         *             can be added and removed at any time. Still works as documented.
         */
        @Deprecated(since = "0.2")
        public Builder addEventPublisher(EventPublisher value) {
            publishers.add(Objects.requireNonNull(value, "publisher"));
            return this;
        }

        /**
         * Bounds the event journal, {@code <root>/berth-events.jsonl}: at most {@code maxEntries} entries
         * (1000 by default; 0 writes no journal) and none older than {@code maxAge} (7 days by default).
         *
         * @return this
         * @throws IllegalArgumentException for a negative count or a non-positive age
         */
        public Builder eventJournal(int maxEntries, Duration maxAge) {
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxEntries < 0 || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("eventJournal needs maxEntries >= 0 and a positive maxAge: "
                        + maxEntries + ", " + maxAge);
            }
            journalEntries = maxEntries;
            journalAge = maxAge;
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

        /** Runs background work (the GC after a remove); the caller's thread by default. @return this */
        public Builder executor(Executor value) {
            executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** The platform chosen from manifest lists; the JVM's by default. @return this */
        public Builder platform(Platform value) {
            platform = Objects.requireNonNull(value, "platform");
            return this;
        }

        /**
         * The {@code DockerVersion} written into the configs of created plugins (Docker writes its own
         * version); empty, and so omitted, by default. @return this
         */
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
         * Opens the root without writing anything: no leftover cleanup, no lock, no event journal
         * written (it is read), and every changing operation (install, create, set, enable, disable,
         * upgrade, remove, gc; push when it would have to rebuild a manifest) fails with a
         * {@link ReadOnlyException} before it touches anything. For looking into a Docker
         * {@code plugins} directory, or into the root of a manager running in another process. @return this
         */
        public Builder readOnly(boolean value) {
            readOnly = value;
            return this;
        }

        /** The default enable timeout, for installs that enable (30 s, Docker's default). @return this */
        public Builder enableTimeout(Duration value) {
            enableTimeout = Objects.requireNonNull(value, "enableTimeout");
            return this;
        }

        /**
         * Opens the root and loads its plugins.
         *
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

        private static void addIfAbsent(List<String> missing, String name, Object value) {
            if (value == null) {
                missing.add(name);
            }
        }
    }
}
