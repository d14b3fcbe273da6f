package dev.berth;

import dev.berth.content.ContentStore;
import dev.berth.core.internal.manager.Engine;
import dev.berth.event.EventPublisher;
import dev.berth.exception.ReadOnlyException;
import dev.berth.oci.Platform;
import dev.berth.progress.ProgressListener;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.RestartPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The settings of a {@link PluginManager}, set through {@link PluginManager.Builder}. Setters are named
 * after what they set and return the builder; the required ones are {@link #root(Path)},
 * {@link #contentStore(ContentStore)}, {@link #registryResolver(RegistryResolver)} and
 * {@link #rootfsApplier(RootfsApplier)}. A separate class only so that the facade's file
 * stays about the facade; users never name it.
 *
 * @param <B> the builder type the setters return
 */
public abstract class PluginManagerBuilder<B extends PluginManagerBuilder<B>> {
    Path root;
    ContentStore contentStore;
    RegistryResolver registryResolver;
    RootfsApplier rootfsApplier;
    ContextSplitter contextSplitter;
    final List<EventPublisher> publishers = new ArrayList<>();
    ProgressListener progressListener = ProgressListener.NONE;
    Supplier<String> idGenerator = () -> Engine.randomHex(32);
    Executor executor = Runnable::run;
    Clock clock = Clock.systemUTC();
    Optional<Platform> platform = Optional.empty();
    String dockerVersion = "";
    boolean gcAfterRemove = true;
    boolean readOnly;
    Duration enableTimeout = Duration.ofSeconds(30);
    Duration activateTimeout = Duration.ofSeconds(5);
    PluginRuntime runtime;
    Path execRoot = Path.of("/run/berth/plugins");
    Duration stopTimeout = Duration.ofSeconds(10);
    RestartPolicy restartPolicy = RestartPolicy.DEFAULT;
    boolean liveRestore;
    int maxConcurrentDownloads = 3;
    int maxConcurrentUploads = 5;
    Duration rootLockWait = Duration.ZERO;
    int journalEntries = 1000;
    Duration journalAge = Duration.ofDays(7);

    /** Only {@link PluginManager.Builder} extends it. */
    PluginManagerBuilder() {
    }

    /** Runs enabled plugins; without one, {@link PluginManager#enable} fails with a clear message. @return this */
    public B runtime(PluginRuntime value) {
        runtime = Objects.requireNonNull(value, "runtime");
        return self();
    }

    /** Where plugins get their socket directories, {@code <execRoot>/<id>/} (/run/berth/plugins). @return this */
    public B execRoot(Path value) {
        execRoot = Objects.requireNonNull(value, "execRoot");
        return self();
    }

    /** How long disable waits after SIGTERM before SIGKILL (10 s, as Docker). @return this */
    public B stopTimeout(Duration value) {
        stopTimeout = Objects.requireNonNull(value, "stopTimeout");
        return self();
    }

    /** How crashed plugins are restarted (bounded exponential backoff by default). @return this */
    public B restartPolicy(RestartPolicy value) {
        restartPolicy = Objects.requireNonNull(value, "restartPolicy");
        return self();
    }

    /** Keep plugins running across {@link PluginManager#close()} and re-attach at open. @return this */
    public B liveRestore(boolean value) {
        liveRestore = value;
        return self();
    }

    /** The plugin root ({@code /var/lib/docker/plugins} for Docker). Required. @return this */
    public B root(Path value) {
        root = Objects.requireNonNull(value, "root");
        return self();
    }

    /** The content store, normally a {@code FileContentStore} at {@code <root>/storage}. Required. @return this */
    public B contentStore(ContentStore value) {
        contentStore = Objects.requireNonNull(value, "contentStore");
        return self();
    }

    /** How references are resolved, fetched and pushed. Required. @return this */
    public B registryResolver(RegistryResolver value) {
        registryResolver = Objects.requireNonNull(value, "registryResolver");
        return self();
    }

    /** How layers are applied onto a rootfs. Required. @return this */
    public B rootfsApplier(RootfsApplier value) {
        rootfsApplier = Objects.requireNonNull(value, "rootfsApplier");
        return self();
    }

    /** How create contexts are split; without one, {@link PluginManager#create} fails. @return this */
    public B contextSplitter(ContextSplitter value) {
        contextSplitter = Objects.requireNonNull(value, "contextSplitter");
        return self();
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
    public B addEventPublisher(EventPublisher value) {
        publishers.add(Objects.requireNonNull(value, "publisher"));
        return self();
    }

    /** Where per-blob progress goes. @return this */
    public B progressListener(ProgressListener value) {
        progressListener = Objects.requireNonNull(value, "progressListener");
        return self();
    }

    /** Where new plugin IDs come from (64 lower-case hex characters; random by default). @return this */
    public B idGenerator(Supplier<String> value) {
        idGenerator = Objects.requireNonNull(value, "idGenerator");
        return self();
    }

    /** The clock that stamps events. @return this */
    public B clock(Clock value) {
        clock = Objects.requireNonNull(value, "clock");
        return self();
    }

    /** Runs background work (tasks, the GC after a remove); the caller's thread by default. @return this */
    public B executor(Executor value) {
        executor = Objects.requireNonNull(value, "executor");
        return self();
    }

    /** How many layers of one install or upgrade download at once (3, as Docker). @return this */
    public B maxConcurrentDownloads(int value) {
        maxConcurrentDownloads = requirePositive(value, "maxConcurrentDownloads");
        return self();
    }

    /** How long {@link PluginManager.Builder#build()} waits for a root another manager holds (none: fail, naming its pid). @return this */
    public B rootLockWait(Duration value) {
        rootLockWait = Objects.requireNonNull(value, "rootLockWait");
        return self();
    }

    /**
     * Bounds the event journal, {@code <root>/berth-events.jsonl}: at most {@code maxEntries} entries
     * (1000 by default; 0 writes no journal) and none older than {@code maxAge} (7 days by default).
     *
     * @return this
     * @throws IllegalArgumentException for a negative count or a non-positive age
     */
    public B eventJournal(int maxEntries, Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxEntries < 0 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("eventJournal needs maxEntries >= 0 and a positive maxAge: "
                    + maxEntries + ", " + maxAge);
        }
        journalEntries = maxEntries;
        journalAge = maxAge;
        return self();
    }

    /** How many blobs of one push upload at once (5, as Docker). @return this */
    public B maxConcurrentUploads(int value) {
        maxConcurrentUploads = requirePositive(value, "maxConcurrentUploads");
        return self();
    }

    /**
     * The platform installs, upgrades and privilege checks select from manifest lists and OCI indexes,
     * with every resolver (the shipped ones select it themselves; others through
     * {@link RegistryResolver#resolve(dev.berth.oci.Reference, Platform)}). An install's own
     * {@code platform(...)} overrides it. Unset, the resolver's platform is used (the host's for Berth's
     * resolvers unless configured there). @return this
     */
    public B platform(Platform value) {
        platform = Optional.of(Objects.requireNonNull(value, "platform"));
        return self();
    }

    /** The {@code DockerVersion} written into created configs; empty, and so omitted, by default. @return this */
    public B dockerVersion(String value) {
        dockerVersion = Objects.requireNonNull(value, "dockerVersion");
        return self();
    }

    /**
     * Whether blobs are collected automatically (default true): after every remove, as in Docker, and
     * when the manager opens its root, so that blobs a killed install, create, upgrade or remove left
     * behind do not wait for an explicit {@link PluginManager#gc()}. The collection at open runs only
     * with the root's lock held and every record readable (the blobs of an unreadable record are kept),
     * and also aborts the ingests no later operation resumes; partial layer downloads are kept for the
     * next pull to continue, until the content store's own stale-ingest sweep. Turn it off when the
     * content store is shared with another plugin root. @return this
     */
    public B gcAfterRemove(boolean value) {
        gcAfterRemove = value;
        return self();
    }

    /**
     * Opens the root without writing anything: no leftover cleanup, no lock, no event journal
     * written (it is read), and every changing operation (install, create, set, enable, disable,
     * upgrade, remove, gc; push when it would have to rebuild a manifest) fails with a
     * {@link ReadOnlyException} before it touches anything. For looking into a Docker
     * {@code plugins} directory, or into the root of a manager running in another process. @return this
     */
    public B readOnly(boolean value) {
        readOnly = value;
        return self();
    }

    /**
     * The deadline of {@code /Plugin.Activate} after an enable (5 s); its {@code Implements} must cover the
     * config's {@code docker.*} types or the enable fails ({@link PluginManager#endpoint}). @return this
     */
    public B activateTimeout(Duration value) {
        if (Objects.requireNonNull(value, "activateTimeout").isNegative() || value.isZero()) {
            throw new IllegalArgumentException("activateTimeout must be positive: " + value);
        }
        activateTimeout = value;
        return self();
    }

    /** The default enable timeout, for installs that enable (30 s, Docker's default). @return this */
    public B enableTimeout(Duration value) {
        enableTimeout = Objects.requireNonNull(value, "enableTimeout");
        return self();
    }

    /** Fails naming every required collaborator that was not set. */
    final void checkComplete() {
        List<String> missing = new ArrayList<>();
        addIfAbsent(missing, "root", root);
        addIfAbsent(missing, "contentStore", contentStore);
        addIfAbsent(missing, "registryResolver", registryResolver);
        addIfAbsent(missing, "rootfsApplier", rootfsApplier);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("PluginManager.Builder is missing: " + String.join(", ", missing));
        }
    }

    static int requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
        return value;
    }

    static void addIfAbsent(List<String> missing, String name, Object value) {
        if (value == null) {
            missing.add(name);
        }
    }

    @SuppressWarnings("unchecked") // B is the concrete builder, by the class's declaration
    private B self() {
        return (B) this;
    }
}
