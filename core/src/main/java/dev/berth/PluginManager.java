package dev.berth;

import dev.berth.content.ContentInfo;
import dev.berth.content.ContentLabels;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.event.EventPublisher;
import dev.berth.event.PluginEvent;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.internal.manager.BlobPins;
import dev.berth.internal.manager.BlobWork;
import dev.berth.internal.manager.ConfigValidator;
import dev.berth.internal.manager.Guard;
import dev.berth.internal.manager.PluginRoot;
import dev.berth.internal.manager.PluginTable;
import dev.berth.internal.manager.Pull;
import dev.berth.internal.manager.Settings;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginRootfs;
import dev.berth.plugin.PluginSettings;
import dev.berth.plugin.Privileges;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import dev.berth.progress.ProgressStatus;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.SplitContext;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSupervisor;
import dev.berth.runtime.RestartPolicy;
import dev.berth.runtime.RunningPlugin;
import dev.berth.runtime.SupervisorListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
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
 * <p>Thread-safe. See {@link #close()} for what happens to running plugins.
 */
public final class PluginManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);
    private static final Set<String> FILTER_KEYS = Set.of("enabled", "capability");

    private final PluginRoot root;
    private final ContentStore store;
    private final RegistryResolver resolver;
    private final RootfsApplier applier;
    private final Optional<ContextSplitter> splitter;
    private final List<EventPublisher> publishers;
    private final ProgressListener progress;
    private final Supplier<String> idGenerator;
    private final Executor executor;
    private final Platform platform;
    private final String dockerVersion;
    private final boolean gcAfterRemove;
    private final Duration enableTimeout;
    private final Clock clock;
    private final Optional<PluginSupervisor> supervisor;
    private final boolean liveRestore;

    private final PluginTable table = new PluginTable();
    private final BlobPins pins = new BlobPins();
    private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<String, ReentrantLock> pluginLocks = new ConcurrentHashMap<>();
    private volatile List<PluginRoot.Problem> problems = List.of();
    private volatile boolean closed;

    private PluginManager(Builder b) {
        this.root = PluginRoot.open(b.root, b.readOnly);
        this.store = b.contentStore;
        this.resolver = b.registryResolver;
        this.applier = b.rootfsApplier;
        this.splitter = Optional.ofNullable(b.contextSplitter);
        this.publishers = List.copyOf(b.publishers);
        this.progress = b.progressListener;
        this.idGenerator = b.idGenerator;
        this.executor = b.executor;
        this.platform = b.platform;
        this.dockerVersion = b.dockerVersion;
        this.gcAfterRemove = b.gcAfterRemove;
        this.enableTimeout = b.enableTimeout;
        this.liveRestore = b.liveRestore;
        this.clock = b.clock;
        try {
            this.supervisor = open(b);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** Loads the records and, with a runtime, brings back the enabled plugins. */
    private Optional<PluginSupervisor> open(Builder b) {
        PluginRoot.Loaded loaded = root.load();
        problems = loaded.problems();
        for (PluginRoot.Problem p : problems) {
            LOG.warn("error loading plugin, skipping: {}: {}", p.path(), p.message());
        }
        table.setAll(loaded.records());
        Optional<PluginSupervisor> sup = b.runtime == null || b.readOnly ? Optional.empty() : Optional.of(PluginSupervisor.builder()
                .runtime(b.runtime)
                .execRoot(b.execRoot)
                .socketTimeout(b.enableTimeout)
                .stopTimeout(b.stopTimeout)
                .restartPolicy(b.restartPolicy)
                .listener(new CrashListener())
                .build());
        sup.ifPresent(this::restoreEnabled);
        return sup;
    }

    /**
     * Brings back the plugins the records say are enabled: re-attached when still running and live
     * restore is on, started afresh otherwise. One that cannot be brought back is marked disabled.
     */
    private void restoreEnabled(PluginSupervisor sup) {
        for (PluginRecord r : table.all()) {
            if (!r.plugin().enabled()) {
                continue;
            }
            try {
                sup.restore(PluginLaunch.of(r.plugin(), root.rootfs(r.plugin().id())), liveRestore);
            } catch (RuntimeException e) {
                LOG.warn("Failed to restore plugin {}: {}", r.plugin().name(), e.toString());
                PluginRecord off = r.withPlugin(r.plugin().withEnabled(false));
                try {
                    root.save(off);
                } catch (RuntimeException saveError) {
                    LOG.warn("cannot save plugin {}: {}", r.plugin().name(), saveError.toString());
                }
                table.put(off);
            }
        }
    }

    /** Turns the supervisor's "gave up restarting" into a disabled record and an event. */
    private final class CrashListener implements SupervisorListener {
        @Override
        public void gaveUp(String id, int attempts, Throwable cause) {
            ReentrantLock lock = lockFor(id);
            PluginRecord off;
            try {
                Optional<PluginRecord> r = table.byId(id);
                if (r.isEmpty() || !r.get().plugin().enabled()) {
                    return;
                }
                off = r.get().withPlugin(r.get().plugin().withEnabled(false));
                try {
                    root.save(off);
                } catch (RuntimeException e) {
                    LOG.warn("cannot save plugin {}: {}", id, e.toString());
                }
                table.put(off);
            } finally {
                lock.unlock();
            }
            Guard.publish(publishers, new PluginEvent.GaveUp(off.plugin(),
                    "gave up after " + attempts + " restarts: " + cause.getMessage(), clock.instant()));
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

    // ---- queries ---------------------------------------------------------------------------

    /**
     * The plugin a name, full ID or unique ID prefix designates (Docker's resolution order).
     *
     * @throws NotFoundException         {@code plugin "<x>" not found}
     * @throws InvalidParameterException {@code multiple plugins found for "<x>"}
     */
    public Plugin inspect(String nameOrId) {
        Objects.requireNonNull(nameOrId, "nameOrId");
        return table.resolve(nameOrId).plugin();
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
        Optional<Boolean> enabled = Optional.empty();
        List<Pattern> capabilities = new ArrayList<>();
        List<String> capabilityValues = List.of();
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            if (!FILTER_KEYS.contains(f.getKey())) {
                throw new InvalidParameterException("invalid filter '" + f.getKey() + "'");
            }
            if (f.getKey().equals("enabled")) {
                if (f.getValue().contains("true")) {
                    enabled = Optional.of(true);
                } else if (f.getValue().contains("false")) {
                    enabled = Optional.of(false);
                } else {
                    throw new InvalidParameterException("invalid filter 'enabled=" + f.getValue() + "'");
                }
            } else {
                capabilityValues = f.getValue();
                for (String v : f.getValue()) {
                    try {
                        capabilities.add(Pattern.compile(v));
                    } catch (PatternSyntaxException e) {
                        throw new InvalidParameterException("invalid filter 'capability=" + v + "': " + e.getDescription());
                    }
                }
            }
        }
        List<Plugin> out = new ArrayList<>();
        for (PluginRecord r : table.all()) {
            Plugin p = r.plugin();
            if (enabled.isPresent() && p.enabled() != enabled.get()) {
                continue;
            }
            if (filters.containsKey("capability") && !allCapabilitiesMatch(p, capabilityValues, capabilities)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }

    private static boolean allCapabilitiesMatch(Plugin p, List<String> values, List<Pattern> patterns) {
        return p.config().pluginInterface().typesOrEmpty().stream().allMatch(t ->
                values.contains(t.capability()) || patterns.stream().anyMatch(x -> x.matcher(t.capability()).find()));
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
        PluginRecord r = table.resolve(nameOrId);
        Plugin p = r.plugin();
        if (!p.enabled()) {
            throw ConflictException.disabled(p.name());
        }
        if (!p.config().provides(capability)) {
            throw new SystemException("plugin does not provide \"" + capability.toLowerCase(java.util.Locale.ROOT)
                    + "\" capability");
        }
        table.addRef(p.id(), mode.delta());
        return p;
    }

    /** The current reference count of a plugin (in memory only, 0 after open). */
    public int refCount(String nameOrId) {
        return table.refCount(table.resolve(nameOrId).plugin().id());
    }

    // ---- privileges and install ------------------------------------------------------------

    /**
     * The privileges the plugin at {@code remote} requires, in Docker's order. Unlike Docker, errors
     * (authentication, not found, network) are reported, and manifest lists are followed to the host
     * platform's manifest.
     */
    public List<PluginPrivilege> privileges(String remote) {
        Reference ref = parseRemote(remote);
        gcLock.readLock().lock();
        Pull pull = newPull();
        try {
            checkOpen();
            return Privileges.of(pull.head(ref).config());
        } finally {
            pull.blobs().release();
            gcLock.readLock().unlock();
        }
    }

    /** Starts an install of the plugin at {@code remote}; see {@link InstallOperation}. */
    public InstallOperation install(String remote) {
        return new InstallOperation(this, remote);
    }

    Plugin runInstall(String remote, Optional<String> alias, Optional<List<PluginPrivilege>> granted,
                      boolean disabled, List<String> settings, Optional<Duration> timeout) {
        Reference ref = parseRemote(remote);
        String name = alias.map(PluginManager::localName).orElseGet(() -> defaultLocalName(ref));
        // A malformed setting fails now, before anything is downloaded.
        settings.forEach(Settings::parse);
        LOG.debug("installing {} as {}", ref, name);
        Plugin plugin = build(name, ref, (pull, head, rootfs) -> {
            ConfigValidator.validate(head.config(), head.manifest().layers().size());
            requirePrivileges(head.config(), granted);
            pull.layers(head);
            applyLayers(head.manifest().layers(), rootfs, head.config());
            PluginConfig config = head.config();
            PluginSettings initial = PluginSettings.initialFor(config);
            Settings.Applied applied = Settings.apply(config, initial, settings);
            Plugin p = new Plugin(newId(), name, false, ref.toString(), applied.config(), applied.settings());
            return new PluginRecord(p, "", Optional.of(head.manifest().config().digest()),
                    head.manifest().layers().stream().map(Descriptor::digest).toList(),
                    Optional.of(head.manifestDescriptor().digest()), "");
        });
        Guard.publish(publishers, new PluginEvent.Created(plugin, ref.familiar(), true, clock.instant()));
        if (!disabled) {
            try {
                return enable(plugin.id(), timeout.orElse(enableTimeout));
            } catch (RuntimeException e) {
                try {
                    remove(plugin.id(), true);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return plugin;
    }

    private void requirePrivileges(PluginConfig config, Optional<List<PluginPrivilege>> granted) {
        if (granted.isPresent()) {
            Privileges.requireGranted(Privileges.of(config), granted.get());
        }
    }

    /** A step that builds a plugin's record and fills {@code rootfs}. */
    @FunctionalInterface
    private interface Builds {
        PluginRecord build(Pull pull, Pull.Head head, Path rootfs);
    }

    /**
     * Builds a new plugin under {@code <root>/tmp/}, then publishes it with one rename. On failure
     * the temp directory and the blobs only this operation added are removed.
     */
    private Plugin build(String name, Reference ref, Builds steps) {
        checkWritable();
        table.reserve(name);
        gcLock.readLock().lock();
        Pull pull = newPull();
        Path work = null;
        try {
            checkOpen();
            work = root.newTempDir(".install");
            Path rootfs = work.resolve("rootfs");
            createDirectory(rootfs);
            Pull.Head head = pull.head(ref);
            PluginRecord record = steps.build(pull, head, rootfs);
            root.save(work, record);
            root.promote(work, record.plugin().id());
            work = null;
            table.put(record);
            return record.plugin();
        } catch (RuntimeException e) {
            discard(work, pull.blobs(), e);
            throw e;
        } finally {
            pull.blobs().release();
            gcLock.readLock().unlock();
            table.release(name);
        }
    }

    /**
     * Applies the layers in manifest order and checks each against the config's
     * {@code rootfs.diff_ids}: the uncompressed digest, or the compressed one Docker writes there.
     */
    private void applyLayers(List<Descriptor> layers, Path rootfs, PluginConfig config) {
        List<String> diffIds = config.rootfs().map(r -> r.diffIds()).orElse(null);
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            String id = Pull.shortId(layer.digest());
            Guard.progress(progress, new ProgressEvent(id, ProgressStatus.EXTRACTING, 0, layer.size()));
            AppliedLayer applied;
            try (InputStream in = store.verifiedStream(layer.digest())) {
                applied = applier.apply(in, layer.mediaType(), rootfs);
            } catch (IOException e) {
                throw new SystemException("error applying layer for digest " + layer.digest() + ": " + e.getMessage(), e);
            }
            if (diffIds != null && i < diffIds.size()) {
                String expected = diffIds.get(i);
                if (!expected.equals(applied.diffId().toString()) && !expected.equals(layer.digest().toString())) {
                    if (!Digest.isValid(expected)) {
                        throw new InvalidParameterException("invalid plugin config: diff_id \"" + expected + "\" is not a digest");
                    }
                    throw new DigestMismatchException("layer " + layer.digest() + " (diff_id)", Digest.parse(expected),
                            applied.diffId());
                }
            }
            Guard.progress(progress, new ProgressEvent(id, ProgressStatus.PULL_COMPLETE, layer.size(), layer.size()));
        }
    }

    // ---- create ----------------------------------------------------------------------------

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
        Objects.requireNonNull(context, "context");
        ContextSplitter split = splitter.orElseThrow(() -> new UnavailableException(
                "no context splitter configured: set PluginManager.Builder.contextSplitter"));
        Reference ref;
        try {
            ref = Reference.parseNormalized(name);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("failed to parse reference " + name + ": " + e.getMessage(), e);
        }
        if (ref.digest().isPresent()) {
            throw new InvalidParameterException("canonical references are not permitted: " + name);
        }
        String local = ref.withDefaultTag().familiar();
        checkWritable();
        table.reserve(local);
        gcLock.readLock().lock();
        BlobWork blobs = new BlobWork(store, pins);
        Path work = null;
        Plugin plugin;
        try {
            checkOpen();
            work = root.newTempDir(".create");
            Path rootfs = work.resolve("rootfs");
            createDirectory(rootfs);
            String ingestRef = "create-" + local + "-" + randomHex(8);
            blobs.ingest(ingestRef);
            SplitContext parts;
            Digest layerDigest;
            long layerSize;
            ContentWriter writer = store.writer(ingestRef);
            try {
                parts = split.split(context, writer.outputStream());
                layerDigest = parts.layer().digest();
                layerSize = parts.layer().size();
                blobs.pin(layerDigest);
                blobs.claimIfAbsent(layerDigest);
                writer.commit(OptionalLong.of(layerSize), Optional.of(layerDigest), Map.of());
            } catch (RuntimeException | IOException e) {
                writer.close();
                throw e;
            }
            PluginConfig config;
            try {
                config = PluginJson.decodeConfig(parts.config());
            } catch (JsonException e) {
                throw new InvalidParameterException("failed to parse config: " + e.getMessage(), e);
            }
            config = config.toBuilder()
                    .dockerVersion(dockerVersion)
                    .rootfs(new PluginRootfs(List.of(parts.layer().diffId().toString()), "layers"))
                    .build();
            ConfigValidator.validate(config, 1);
            byte[] configBlob = PluginJson.encodeConfigBlob(config);
            Descriptor configDesc = blobs.putBytes(local + "-config.json", configBlob, MediaTypes.DOCKER_PLUGIN_CONFIG);
            Descriptor layerDesc = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, layerDigest, layerSize);
            byte[] manifestBytes = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, List.of(layerDesc)));
            Descriptor manifestDesc = blobs.putBytes("manifest-" + Digest.sha256(manifestBytes), manifestBytes,
                    MediaTypes.DOCKER_MANIFEST_V2);
            applyLayers(List.of(layerDesc), rootfs, config);
            Plugin p = new Plugin(newId(), local, false, local, config, PluginSettings.initialFor(config));
            PluginRecord record = new PluginRecord(p, "", Optional.of(configDesc.digest()), List.of(layerDigest),
                    Optional.of(manifestDesc.digest()), "");
            root.save(work, record);
            root.promote(work, p.id());
            work = null;
            table.put(record);
            plugin = p;
        } catch (IOException e) {
            SystemException failure = new SystemException("error creating plugin " + local + ": " + e.getMessage(), e);
            discard(work, blobs, failure);
            throw failure;
        } catch (RuntimeException e) {
            discard(work, blobs, e);
            throw e;
        } finally {
            blobs.release();
            gcLock.readLock().unlock();
            table.release(local);
        }
        Guard.publish(publishers, new PluginEvent.Created(plugin, "", false, clock.instant()));
        return plugin;
    }

    // ---- push ------------------------------------------------------------------------------

    /**
     * Pushes a plugin under its local name ({@code docker plugin push}): config and layers first,
     * then the manifest. A manifest missing from the store is rebuilt and recorded.
     */
    public PushedPlugin push(String nameOrId) {
        PluginRecord r = table.resolve(nameOrId);
        Reference ref;
        try {
            ref = Reference.parse(r.plugin().name());
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("plugin has invalid name " + r.plugin().name() + " for push: "
                    + e.getMessage(), e);
        }
        gcLock.readLock().lock();
        ReentrantLock lock = lockFor(r.plugin().id());
        try {
            checkOpen();
            r = current(r);
            Manifest manifest = manifestOf(r);
            byte[] manifestBytes = readBlob(r.manifest().orElseThrow(), OciJson.MAX_MANIFEST_BYTES);
            Descriptor manifestDesc = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, r.manifest().get(), manifestBytes.length);
            Pusher pusher = resolver.pusher(ref);
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(manifest.config());
            blobs.addAll(manifest.layers());
            for (Descriptor d : blobs) {
                String id = Pull.shortId(d.digest());
                Guard.progress(progress, new ProgressEvent(id, ProgressStatus.PREPARING, 0, d.size()));
                PushResult result = pusher.push(d, () -> store.verifiedStream(d.digest()));
                ProgressStatus done = result.outcome() == PushResult.Outcome.ALREADY_EXISTS
                        ? ProgressStatus.LAYER_ALREADY_EXISTS : ProgressStatus.PUSHED;
                Guard.progress(progress, new ProgressEvent(id, done, d.size(), d.size()));
            }
            pusher.push(manifestDesc, BlobSource.of(manifestBytes));
            String tag = ref.tag().orElse(Reference.DEFAULT_TAG);
            PushedPlugin pushed = new PushedPlugin(ref.toString(), tag, manifestDesc.digest(), manifestDesc.size());
            Guard.publish(publishers, new PluginEvent.Pushed(r.plugin(), tag, pushed.digest().toString(), pushed.size(), clock.instant()));
            return pushed;
        } finally {
            lock.unlock();
            gcLock.readLock().unlock();
        }
    }

    /** The record's manifest, rebuilt (and the record updated) when the blob is gone. */
    private Manifest manifestOf(PluginRecord r) {
        if (r.manifest().isPresent() && blobExists(r.manifest().get())) {
            return OciJson.decodeManifest(readBlob(r.manifest().get(), OciJson.MAX_MANIFEST_BYTES),
                    MediaTypes.DOCKER_MANIFEST_V2);
        }
        LOG.info("manifest of plugin {} is missing from the store; rebuilding it", r.plugin().name());
        Digest configDigest = r.config().orElseThrow(() -> new SystemException(
                "plugin " + r.plugin().name() + " has no config digest"));
        Descriptor config = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, configDigest, sizeOf(configDigest));
        List<Descriptor> layers = new ArrayList<>();
        for (Digest d : r.blobsumsOrEmpty()) {
            layers.add(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, d, sizeOf(d)));
        }
        Manifest manifest = Manifest.dockerPlugin(config, layers);
        byte[] bytes = OciJson.encodeManifest(manifest);
        BlobWork blobs = new BlobWork(store, pins);
        try {
            Descriptor stored = blobs.putBytes("manifest-" + Digest.sha256(bytes), bytes, MediaTypes.DOCKER_MANIFEST_V2);
            PluginRecord updated = new PluginRecord(r.plugin(), r.rootfs(), r.config(), r.blobsums(),
                    Optional.of(stored.digest()), r.swarmServiceId());
            root.save(updated);
            table.put(updated);
            return manifest;
        } finally {
            blobs.release();
        }
    }

    // ---- set, remove, upgrade ----------------------------------------------------------------

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
        checkWritable();
        PluginRecord r = table.resolve(nameOrId);
        ReentrantLock lock = lockFor(r.plugin().id());
        try {
            r = current(r);
            Plugin p = r.plugin();
            if (p.enabled()) {
                throw new ConflictException("cannot set on an active plugin, disable plugin before setting");
            }
            Settings.Applied applied = Settings.apply(p.config(), p.settings(), args);
            PluginRecord updated = r.withPlugin(p.withConfig(applied.config()).withSettings(applied.settings()));
            root.save(updated);
            table.put(updated);
            return updated.plugin();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a plugin ({@code docker plugin rm}). With {@code force}, an enabled or referenced
     * plugin is disabled first. The directory is renamed to {@code <id>-removing} before it is
     * deleted, so an interruption never leaves a half plugin under its ID.
     *
     * @throws ConflictException {@code plugin <name> is in use} or {@code plugin <name> is enabled}
     */
    public void remove(String nameOrId, boolean force) {
        checkWritable();
        PluginRecord r = table.resolve(nameOrId);
        ReentrantLock lock = lockFor(r.plugin().id());
        Plugin removed;
        try {
            r = current(r);
            Plugin p = r.plugin();
            if (!force) {
                if (table.refCount(p.id()) > 0) {
                    throw ConflictException.inUse(p.name());
                }
                if (p.enabled()) {
                    throw ConflictException.enabled(p.name());
                }
            }
            if (p.enabled()) {
                try {
                    stopPlugin(r);
                } catch (RuntimeException e) {
                    LOG.warn("failed to disable plugin '{}': {}", p.name(), e.toString());
                }
            }
            root.atomicRemove(root.pluginDir(p.id()));
            table.remove(p.id());
            removed = p;
        } finally {
            lock.unlock();
            pluginLocks.remove(r.plugin().id());
        }
        Guard.publish(publishers, new PluginEvent.Removed(removed, clock.instant()));
        if (gcAfterRemove) {
            executor.execute(() -> {
                try {
                    gc();
                } catch (RuntimeException e) {
                    LOG.warn("garbage collection after removing {} failed: {}", removed.name(), e.toString());
                }
            });
        }
    }

    /** Starts an upgrade of an installed plugin; see {@link UpgradeOperation}. */
    public UpgradeOperation upgrade(String nameOrId) {
        return new UpgradeOperation(this, nameOrId);
    }

    Plugin runUpgrade(String nameOrId, Optional<String> remote, Optional<List<PluginPrivilege>> granted) {
        checkWritable();
        PluginRecord r = table.resolve(nameOrId);
        Reference ref = parseRemote(remote.orElse(r.plugin().pluginReference()));
        ReentrantLock lock = lockFor(r.plugin().id());
        gcLock.readLock().lock();
        Pull pull = newPull();
        Path work = null;
        Plugin upgraded;
        try {
            checkOpen();
            r = current(r);
            Plugin p = r.plugin();
            if (p.enabled()) {
                throw new ConflictException("plugin must be disabled before upgrading: plugin " + p.name() + " is enabled");
            }
            work = root.newTempDir(".upgrade");
            Path newRootfs = work.resolve("rootfs");
            createDirectory(newRootfs);
            Pull.Head head = pull.head(ref);
            ConfigValidator.validate(head.config(), head.manifest().layers().size());
            requirePrivileges(head.config(), granted);
            pull.layers(head);
            applyLayers(head.manifest().layers(), newRootfs, head.config());
            Plugin next = p.withConfig(head.config())
                    .withSettings(Settings.carryOver(p.settings(), head.config()))
                    .withPluginReference(ref.toString());
            PluginRecord updated = new PluginRecord(next, r.rootfs(), Optional.of(head.manifest().config().digest()),
                    head.manifest().layers().stream().map(Descriptor::digest).toList(),
                    Optional.of(head.manifestDescriptor().digest()), r.swarmServiceId());
            root.upgrade(p.id(), newRootfs, updated);
            table.put(updated);
            upgraded = next;
        } catch (RuntimeException e) {
            discard(work, pull.blobs(), e);
            throw e;
        } finally {
            pull.blobs().release();
            gcLock.readLock().unlock();
            lock.unlock();
        }
        PluginRoot.deleteRecursively(work);
        Guard.publish(publishers, new PluginEvent.Upgraded(upgraded, ref.familiar(), clock.instant()));
        return upgraded;
    }

    // ---- enable and disable ----------------------------------------------------------------

    /**
     * Enables a plugin: runs it through the runtime and waits for its socket.
     *
     * @throws ConflictException    {@code plugin already enabled: plugin <name> is enabled}
     * @throws UnavailableException when the manager has no runtime
     */
    public Plugin enable(String nameOrId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkWritable();
        PluginRecord r = table.resolve(nameOrId);
        ReentrantLock lock = lockFor(r.plugin().id());
        Plugin enabled;
        try {
            r = current(r);
            if (r.plugin().enabled()) {
                throw new ConflictException("plugin already enabled: plugin " + r.plugin().name() + " is enabled");
            }
            startPlugin(r, timeout);
            PluginRecord updated = new PluginRecord(r.plugin().withEnabled(true),
                    root.rootfs(r.plugin().id()).toAbsolutePath().toString(), r.config(), r.blobsums(), r.manifest(),
                    r.swarmServiceId());
            try {
                root.save(updated);
            } catch (RuntimeException e) {
                stopPlugin(r);
                throw e;
            }
            table.put(updated);
            enabled = updated.plugin();
        } finally {
            lock.unlock();
        }
        Guard.publish(publishers, new PluginEvent.Enabled(enabled, clock.instant()));
        return enabled;
    }

    /**
     * Disables a plugin: stops it (SIGTERM, then SIGKILL after the runtime's grace period).
     *
     * @param force ignore the reference count (it does not make the stop harsher)
     * @throws ConflictException {@code plugin <name> is in use}, or
     *                           {@code plugin is already disabled: plugin <name> found but disabled}
     */
    public Plugin disable(String nameOrId, boolean force) {
        checkWritable();
        PluginRecord r = table.resolve(nameOrId);
        ReentrantLock lock = lockFor(r.plugin().id());
        Plugin disabled;
        try {
            r = current(r);
            Plugin p = r.plugin();
            if (!force && table.refCount(p.id()) > 0) {
                throw ConflictException.inUse(p.name());
            }
            if (!p.enabled()) {
                throw new ConflictException("plugin is already disabled: plugin " + p.name() + " found but disabled");
            }
            stopPlugin(r);
            PluginRecord updated = r.withPlugin(p.withEnabled(false));
            root.save(updated);
            table.put(updated);
            disabled = updated.plugin();
        } finally {
            lock.unlock();
        }
        Guard.publish(publishers, new PluginEvent.Disabled(disabled, clock.instant()));
        return disabled;
    }

    private void startPlugin(PluginRecord r, Duration timeout) {
        PluginSupervisor sup = supervisor.orElseThrow(() -> new UnavailableException("cannot enable plugin "
                + r.plugin().name() + ": no plugin runtime configured (set PluginManager.Builder.runtime)"));
        sup.enable(PluginLaunch.of(r.plugin(), root.rootfs(r.plugin().id())), timeout);
    }

    private void stopPlugin(PluginRecord r) {
        supervisor.ifPresent(sup -> sup.disable(r.plugin().id()));
    }

    /**
     * How the host reaches an enabled plugin: its socket and the capabilities its activation reported.
     *
     * @throws ConflictException {@code plugin <name> found but disabled}
     */
    public RunningPlugin endpoint(String nameOrId) {
        Plugin p = inspect(nameOrId);
        return supervisor.flatMap(sup -> sup.running(p.id()))
                .orElseThrow(() -> ConflictException.disabled(p.name()));
    }

    // ---- garbage collection ----------------------------------------------------------------

    /**
     * Deletes every blob that no plugin uses. Marks, for every record, its config, its manifest and
     * its layers (Docker forgets manifests and usually layers, and so deletes blobs still needed).
     * Excludes every other operation on blobs while it runs.
     */
    public GcResult gc() {
        checkWritable();
        gcLock.writeLock().lock();
        try {
            checkOpen();
            Set<Digest> used = new HashSet<>();
            for (PluginRecord r : table.all()) {
                r.config().ifPresent(used::add);
                r.manifest().ifPresent(used::add);
                used.addAll(r.blobsumsOrEmpty());
                r.manifest().filter(this::blobExists).ifPresent(m -> {
                    try {
                        Manifest manifest = OciJson.decodeManifest(readBlob(m, OciJson.MAX_MANIFEST_BYTES),
                                MediaTypes.DOCKER_MANIFEST_V2);
                        used.add(manifest.config().digest());
                        manifest.layers().forEach(l -> used.add(l.digest()));
                    } catch (RuntimeException e) {
                        LOG.warn("cannot read manifest {} of {}: {}", m, r.plugin().name(), e.toString());
                    }
                });
            }
            List<ContentInfo> unused = new ArrayList<>();
            store.walk(ContentLabels.all(), info -> {
                if (!used.contains(info.digest()) && !pins.isPinned(info.digest())) {
                    unused.add(info);
                }
            });
            List<Digest> removed = new ArrayList<>();
            long freed = 0;
            for (ContentInfo info : unused) {
                store.delete(info.digest());
                removed.add(info.digest());
                freed += info.size();
            }
            return new GcResult(removed, freed);
        } catch (IOException e) {
            throw new SystemException("garbage collection failed: " + e.getMessage(), e);
        } finally {
            gcLock.writeLock().unlock();
        }
    }

    /**
     * Closes the manager: further operations fail. With live restore, running plugins keep running
     * and a manager opened on the same root later re-attaches to them; without it they are stopped
     * but stay marked enabled, so the next manager starts them again (Docker's daemon shutdown).
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            supervisor.ifPresent(sup -> {
                if (!liveRestore) {
                    sup.disableAll();
                }
                sup.close();
            });
        } finally {
            root.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Pull newPull() {
        return new Pull(resolver, store, progress, platform, pins);
    }

    private static Reference parseRemote(String remote) {
        Objects.requireNonNull(remote, "remote");
        try {
            return Reference.parse(remote);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException(e.getMessage(), e);
        }
    }

    /** The local name for an alias: normalized, {@code :latest} added, familiar; no digest. */
    private static String localName(String alias) {
        Reference ref;
        try {
            ref = Reference.parseNormalized(alias);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("invalid name: " + alias + ": " + e.getMessage(), e);
        }
        if (ref.digest().isPresent()) {
            throw new InvalidParameterException("invalid name: " + alias);
        }
        return ref.withDefaultTag().familiar();
    }

    /** Docker's local name for a remote: by tag, or {@code <repo>:<tag or latest>} for a digest. */
    private static String defaultLocalName(Reference ref) {
        return ref.repository().withTag(ref.tag().orElse(Reference.DEFAULT_TAG)).familiar();
    }

    private String newId() {
        for (int i = 0; i < 100; i++) {
            String id = idGenerator.get();
            if (!Plugin.isId(id)) {
                throw new IllegalStateException("the ID generator returned \"" + id + "\", not 64 lower-case hex characters");
            }
            // Docker regenerates IDs whose 12-character prefix reads as a number (it would look like a
            // count in short listings).
            if (!id.substring(0, 12).chars().allMatch(Character::isDigit) && table.byId(id).isEmpty()) {
                return id;
            }
        }
        throw new IllegalStateException("the ID generator keeps returning unusable IDs");
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private ReentrantLock lockFor(String id) {
        ReentrantLock lock = pluginLocks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        return lock;
    }

    /** The record as it is now (it may have changed or gone while waiting for the lock). */
    private PluginRecord current(PluginRecord r) {
        return table.byId(r.plugin().id()).orElseThrow(() -> NotFoundException.plugin(r.plugin().name()));
    }

    /**
     * Undoes a failed build: deletes its work directory, aborts the ingests it left half written, and
     * deletes the blobs it added that no record and no other running operation uses.
     */
    private void discard(Path work, BlobWork blobs, Exception cause) {
        try {
            if (work != null) {
                PluginRoot.deleteRecursively(work);
            }
            for (String ref : blobs.ingests()) {
                if (store.status(ref).isPresent()) {
                    store.abort(ref);
                }
            }
            Set<Digest> used = new HashSet<>();
            for (PluginRecord r : table.all()) {
                r.config().ifPresent(used::add);
                r.manifest().ifPresent(used::add);
                used.addAll(r.blobsumsOrEmpty());
            }
            for (Digest d : blobs.added()) {
                // This operation still holds its pins, so another user shows as a count above one.
                if (!used.contains(d) && !pins.isPinnedByOthers(d) && blobExists(d)) {
                    store.delete(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private boolean blobExists(Digest digest) {
        try {
            return store.info(digest).isPresent();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    private long sizeOf(Digest digest) {
        try {
            return store.info(digest).orElseThrow(() -> new NotFoundException(
                    "error fetching info for content digest " + digest + ": not found")).size();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    private byte[] readBlob(Digest digest, int max) {
        try (InputStream in = store.verifiedStream(digest)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new SystemException("blob " + digest + " is larger than " + max + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new SystemException("error reading " + digest + " from the content store: " + e.getMessage(), e);
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new SystemException("failed to mkdir " + dir + ": " + e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the plugin manager is closed");
        }
    }

    private void checkWritable() {
        checkOpen();
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
        private Supplier<String> idGenerator = () -> randomHex(32);
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
         * Opens the root without writing anything: no leftover cleanup, and every changing operation
         * fails. For looking into a Docker {@code plugins} directory. @return this
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
            if (root == null) {
                missing.add("root");
            }
            if (contentStore == null) {
                missing.add("contentStore");
            }
            if (registryResolver == null) {
                missing.add("registryResolver");
            }
            if (rootfsApplier == null) {
                missing.add("rootfsApplier");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("PluginManager.Builder is missing: " + String.join(", ", missing));
            }
            return new PluginManager(this);
        }
    }
}
