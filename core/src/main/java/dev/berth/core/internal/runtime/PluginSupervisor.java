package dev.berth.core.internal.runtime;

import dev.berth.core.internal.mount.HostMounts;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.PluginException;
import dev.berth.exception.SystemException;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import dev.berth.internal.unixhttp.UnixHttpClient;
import dev.berth.internal.unixhttp.UnixSocketTransport;
import dev.berth.plugin.Capability;
import dev.berth.plugin.PluginConfig;
import dev.berth.runtime.DeviceResolver;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.PluginStartException;
import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RestartPolicy;
import dev.berth.runtime.RunningPlugin;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enables and disables plugins through any {@link PluginRuntime}: Docker's start and stop sequences
 * (spec/moby-plugins.md §8.3–8.4, §2.8–2.9) with its fixed waits made configurable and its
 * crash-restart loop bounded.
 *
 * <ul>
 *   <li><b>Long paths</b>: when {@code <exec-root>/<id>/<socket>} does not fit a unix socket address,
 *       the host reaches the socket through a short private link ({@link Builder#socketLinkRoot}), and
 *       {@link RunningPlugin#socket} is that short path, valid while the plugin is supervised.
 *   <li><b>Enable</b>: a fresh exec dir {@code <exec-root>/<id>/} (0700), the runtime spec from
 *       {@link PluginSpecGenerator}, start, then poll the socket {@code <exec-root>/<id>/<socket>}
 *       with exponential backoff (no fixed first sleep) until it accepts a connection, the plugin
 *       exits, or {@link Builder#socketTimeout} passes; optionally {@code POST /Plugin.Activate} and
 *       check that {@code Implements} covers the config's {@code docker.*} types. A runtime that
 *       gives a {@link PluginTransport} ({@link PluginRuntime#transport}) is polled and activated
 *       through it instead of the socket; the {@link RunningPlugin} carries whichever was used. On any failure the
 *       plugin is stopped, deleted and its exec dir removed, and a {@link PluginStartException} carries
 *       its last stderr lines.
 *   <li><b>Disable</b>: SIGTERM, wait {@link Builder#stopTimeout} (Docker: 10 s), SIGKILL, wait
 *       {@link Builder#killTimeout}, delete the container, remove the exec dir.
 *   <li><b>Crash</b>: an enabled plugin that exits is restarted per the {@link RestartPolicy}; when it
 *       gives up, {@link SupervisorListener#gaveUp} tells the owner.
 *   <li><b>Restore</b>: {@link #restore} re-attaches to a plugin that outlived the previous process
 *       (live restore) or restarts it.
 * </ul>
 *
 * <p>Thread-safe. Operations on one plugin are serialized; different plugins proceed in parallel.
 * {@link #enable}, {@link #disable} and {@link #restore} block for at most their timeouts. The
 * supervisor does not own the runtime: closing it leaves plugins running and the runtime open.
 *
 * <p>One class, on purpose, although it is long: enable, disable, crash restarts and restore are
 * transitions of one per-plugin state machine under one per-plugin lock, and the socket wait,
 * activation and propagated mount are steps of those transitions. Split apart, each piece would need the
 * others' state and lock, and the invariants (never two containers for one ID, never a restart after a
 * disable) would no longer be visible in one place.
 */
public final class PluginSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginSupervisor.class);
    /**
     * The longest socket path Berth can dial: Linux allows 107 bytes ({@code sun_path} is 108 with the
     * NUL) but the JDK's unix-domain channels refuse more than 106.
     */
    static final int MAX_SOCKET_PATH_BYTES = 106;
    private static final int MAX_ACTIVATE_RESPONSE = 1 << 20;

    private final PluginRuntime runtime;
    private final Path execRoot;
    private final Path socketLinkRoot;
    private final Duration socketTimeout;
    private final Duration pollInitial;
    private final Duration pollMax;
    private final boolean activate;
    private final Duration callTimeout;
    private final Duration stopTimeout;
    private final Duration killTimeout;
    private final RestartPolicy restartPolicy;
    private final SupervisorListener listener;
    private final DeviceResolver deviceResolver;
    private final int stderrTailLines;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private PluginSupervisor(Builder b) {
        this.runtime = b.runtime;
        this.execRoot = b.execRoot;
        this.socketLinkRoot = b.socketLinkRoot;
        this.socketTimeout = b.socketTimeout;
        this.pollInitial = b.pollInitial;
        this.pollMax = b.pollMax;
        this.activate = b.activate;
        this.callTimeout = b.callTimeout;
        this.stopTimeout = b.stopTimeout;
        this.killTimeout = b.killTimeout;
        this.restartPolicy = b.restartPolicy;
        this.listener = b.listener;
        this.deviceResolver = b.deviceResolver;
        this.stderrTailLines = b.stderrTailLines;
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownsScheduler = false;
        } else {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "berth-plugin-supervisor");
                t.setDaemon(true);
                return t;
            });
            this.ownsScheduler = true;
        }
    }

    /** A builder; {@code runtime} and {@code execRoot} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The host path of a plugin's socket, {@code <execRoot>/<id>/<socket>}, after checking that the
     * socket name is one plain file name (no {@code /}, not {@code .} or {@code ..}, no NUL) and that
     * the path fits a unix socket address.
     *
     * @throws InvalidParameterException if the name is unsafe or the path too long
     */
    public static Path socketPath(Path execRoot, String id, String socket) {
        checkSocketName(socket);
        Path path = execRoot.toAbsolutePath().resolve(id).resolve(socket);
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw new InvalidParameterException("plugin socket path " + path + " is " + bytes
                    + " bytes, longer than the " + MAX_SOCKET_PATH_BYTES + " a unix socket allows");
        }
        return path;
    }

    private static void checkSocketName(String socket) {
        Objects.requireNonNull(socket, "socket");
        if (socket.isEmpty() || socket.equals(".") || socket.equals("..") || socket.indexOf('/') >= 0
                || socket.indexOf('\0') >= 0) {
            throw new InvalidParameterException("plugin socket name must be a plain file name: \"" + socket + "\"");
        }
    }

    /**
     * Starts a plugin and waits until it serves its socket.
     *
     * @return the running plugin
     * @throws ConflictException         if the supervisor already runs this plugin
     * @throws InvalidParameterException if the socket name, a mount or a device is invalid
     * @throws PluginStartException      if the plugin did not come up; it has been cleaned up
     */
    public RunningPlugin enable(PluginLaunch launch) {
        return enable(launch, socketTimeout);
    }

    /**
     * Starts a plugin and waits up to {@code socketTimeout} (instead of the builder's) until it serves
     * its socket; restarts after a crash wait as long. See {@link #enable(PluginLaunch)}.
     */
    public RunningPlugin enable(PluginLaunch launch, Duration socketTimeout) {
        Objects.requireNonNull(launch, "launch");
        Builder.positive(socketTimeout, "socketTimeout");
        checkOpen();
        Entry e = register(launch, socketTimeout);
        e.opLock.lock();
        try {
            Incarnation inc = startIncarnation(e);
            markUp(e, inc, true);
            return inc.running;
        } catch (RuntimeException ex) {
            entries.remove(launch.id(), e);
            unmountPropagated(launch);
            e.link.close();
            throw ex;
        } finally {
            e.opLock.unlock();
        }
    }

    /** Undoes the shared bind mount {@link #prepareDirs} put on the propagated-mount directory. */
    private void unmountPropagated(PluginLaunch launch) {
        if (!launch.config().propagatedMount().isEmpty()) {
            Path execDir = execRoot.toAbsolutePath().resolve(launch.id());
            HostMounts.unmount(SpecPaths.dockerLayout(launch.rootfs(), execDir).propagatedMount());
        }
    }

    /**
     * Brings back a plugin that was enabled when the previous owner stopped: if its container still
     * runs and {@code liveRestore} is on, re-attaches to it (and checks its socket); otherwise stops
     * what is left and starts it afresh.
     *
     * @throws ConflictException    if the supervisor already runs this plugin
     * @throws PluginStartException if it could not be brought up; it has been cleaned up
     */
    public RunningPlugin restore(PluginLaunch launch, boolean liveRestore) {
        Objects.requireNonNull(launch, "launch");
        checkOpen();
        Entry e = register(launch, socketTimeout);
        e.opLock.lock();
        try {
            Incarnation old = new Incarnation(e);
            synchronized (e) {
                e.current = old;
            }
            if (runtime.reattach(launch.id(), old)) {
                if (liveRestore) {
                    try {
                        awaitReady(e, old);
                        markUp(e, old, true);
                        LOG.info("plugin {} re-attached", launch.name());
                        return old.running;
                    } catch (PluginStartException ex) {
                        LOG.warn("plugin {} runs but does not serve its socket; restarting it", launch.name(), ex);
                    }
                }
                stop(e, old);
            }
            cleanup(launch.id());
            Incarnation inc = startIncarnation(e);
            markUp(e, inc, true);
            return inc.running;
        } catch (RuntimeException ex) {
            entries.remove(launch.id(), e);
            unmountPropagated(launch);
            e.link.close();
            throw ex;
        } finally {
            e.opLock.unlock();
        }
    }

    /**
     * Stops a plugin: SIGTERM, wait, SIGKILL, wait; then deletes the container and the exec dir, and
     * cancels any pending restart. Never fails because the plugin would not die; that is logged.
     *
     * @return false if the supervisor did not run this plugin
     * @throws SystemException if the runtime fails to delete the container
     */
    public boolean disable(String id) {
        Objects.requireNonNull(id, "id");
        Entry e = entries.get(id);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            e.wantRunning = false;
            if (e.pendingRestart != null) {
                e.pendingRestart.cancel(false);
                e.pendingRestart = null;
            }
        }
        e.opLock.lock();
        try {
            Incarnation inc;
            synchronized (e) {
                inc = e.current;
            }
            if (inc != null) {
                stop(e, inc);
            }
            cleanup(id);
            unmountPropagated(e.launch);
            return true;
        } finally {
            entries.remove(id, e);
            e.link.close();
            e.opLock.unlock();
        }
    }

    /** Disables every plugin this supervisor runs (a shutdown without live restore). */
    public void disableAll() {
        for (String id : List.copyOf(entries.keySet())) {
            try {
                disable(id);
            } catch (PluginException ex) {
                LOG.warn("failed to stop plugin {}", id, ex);
            }
        }
    }

    /** The plugin if this supervisor runs it (or is restarting it). */
    public Optional<RunningPlugin> running(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return Optional.empty();
        }
        synchronized (e) {
            return e.current != null && e.current.up ? Optional.of(e.current.running) : Optional.empty();
        }
    }

    /** The IDs of the plugins this supervisor runs or is restarting. */
    public List<String> ids() {
        return List.copyOf(entries.keySet());
    }

    /**
     * Stops supervising: pending restarts are cancelled and the runtime stops watching the containers,
     * which keep running (a later supervisor can {@link #restore} them). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Entry e : entries.values()) {
            synchronized (e) {
                e.wantRunning = false;
                if (e.pendingRestart != null) {
                    e.pendingRestart.cancel(false);
                }
            }
            try {
                runtime.detach(e.launch.id());
            } catch (RuntimeException ex) {
                LOG.warn("failed to detach from plugin {}", e.launch.id(), ex);
            }
            // the plugin runs on; a later supervisor's restore makes a link of its own
            e.link.close();
        }
        entries.clear();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the plugin supervisor is closed");
        }
    }

    /**
     * Registers a plugin, with the short link to its socket if the direct path is too long.
     *
     * @throws ConflictException         if the plugin is registered already
     * @throws InvalidParameterException if the socket name is unsafe or even the short path too long
     */
    private Entry register(PluginLaunch launch, Duration timeout) {
        checkSocketName(launch.config().pluginInterface().socket());
        if (entries.containsKey(launch.id())) {
            throw ConflictException.enabled(launch.name());
        }
        SocketLink link = SocketLink.to(execRoot.toAbsolutePath().resolve(launch.id()),
                launch.config().pluginInterface().socket(), socketLinkRoot, MAX_SOCKET_PATH_BYTES);
        Entry e = new Entry(launch, link, timeout);
        if (entries.putIfAbsent(launch.id(), e) != null) {
            link.close();
            throw ConflictException.enabled(launch.name());
        }
        return e;
    }

    /**
     * Marks an incarnation as serving; if it died meanwhile, the crash path takes over. Only an enable
     * or restore turns supervision on: a restart must not undo a disable that waits for it.
     */
    private void markUp(Entry e, Incarnation inc, boolean initial) {
        synchronized (e) {
            inc.up = true;
            inc.upAtNanos = System.nanoTime();
            if (initial) {
                e.wantRunning = !closed;
            }
            if (inc.dead) {
                onCrash(e, inc, null);
            }
        }
    }

    /** Starts one incarnation and waits for it; on failure stops and cleans it up. Caller holds opLock. */
    private Incarnation startIncarnation(Entry e) {
        PluginLaunch launch = e.launch;
        String id = launch.id();
        Path execDir = execRoot.toAbsolutePath().resolve(id);
        SpecPaths paths = SpecPaths.dockerLayout(launch.rootfs(), execDir);
        RuntimeSpec spec = PluginSpecGenerator.generate(launch.config(), launch.settings(), paths, deviceResolver);
        prepareDirs(launch.config(), paths);
        Incarnation inc = new Incarnation(e);
        synchronized (e) {
            e.current = inc;
        }
        long t0 = System.nanoTime();
        try {
            runtime.start(id, spec, inc);
        } catch (PluginException ex) {
            deleteQuietly(execDir);
            throw new PluginStartException("plugin " + launch.name() + " could not be started: " + ex.getMessage(),
                    inc.stderrTail(), ex);
        }
        try {
            awaitReady(e, inc);
        } catch (RuntimeException ex) {
            // Whatever failed (the socket wait, the activation, or the runtime asked for the plugin's
            // transport), the container that did start must not outlive the failed enable.
            PluginStartException failure = ex instanceof PluginStartException p ? p : new PluginStartException(
                    "plugin " + launch.name() + " could not be started: " + ex.getMessage(), inc.stderrTail(), ex);
            try {
                stop(e, inc);
                cleanup(id);
            } catch (RuntimeException undo) {
                failure.addSuppressed(undo);
            }
            throw failure;
        }
        LOG.debug("plugin {} serves its socket after {} ms", launch.name(), (System.nanoTime() - t0) / 1_000_000);
        return inc;
    }

    /** Waits for the socket to accept and, if configured, activates the plugin. */
    private void awaitReady(Entry e, Incarnation inc) {
        String name = e.launch.name();
        // a runtime whose plugins serve no host socket (an in-process fake) says how to reach them
        inc.transport = runtime.transport(e.launch.id()).orElse(null);
        long deadline = System.nanoTime() + e.socketTimeout.toNanos();
        long delayNanos = pollInitial.toNanos();
        while (true) {
            if (inc.exit.isDone()) {
                throw new PluginStartException("plugin " + name + " exited before serving its socket " + e.socket,
                        inc.stderrTail(), null);
            }
            if (socketAccepts(e, inc)) {
                break;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new PluginStartException("plugin " + name + " did not serve its socket " + e.socket
                        + " within " + e.socketTimeout.toMillis() + " ms", inc.stderrTail(), null);
            }
            // wake early if the plugin exits while we wait
            try {
                inc.exit.get(Math.min(delayNanos, remaining), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ignored) {
                // poll again
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new PluginStartException("interrupted while waiting for plugin " + name, inc.stderrTail(), ex);
            } catch (ExecutionException ex) {
                throw new IllegalStateException(ex);
            }
            delayNanos = Math.min(delayNanos * 2, pollMax.toNanos());
        }
        List<String> implemented = activate ? activate(e, inc) : List.of();
        inc.running = new RunningPlugin(e.launch.id(), e.socket, implemented, transport(e, inc));
    }

    /**
     * Whether the socket accepts a connection. The plugin controls its socket directory, so the path
     * must be a socket itself, never a symlink (which could point at a host daemon's socket).
     */
    private boolean socketAccepts(Entry e, Incarnation inc) {
        if (inc.transport != null) {
            return inc.transport.ready();
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(e.socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException notThere) {
            return false;
        }
        if (attrs.isSymbolicLink()) {
            throw new PluginStartException("plugin " + e.launch.name() + " replaced its socket " + e.socket
                    + " with a symbolic link; refusing to follow it", inc.stderrTail(), null);
        }
        return attrs.isOther() && UnixHttpClient.accepts(e.socket);
    }

    private List<String> activate(Entry e, Incarnation inc) {
        String name = e.launch.name();
        PluginTransport.Response response;
        try {
            response = transport(e, inc).post("/Plugin.Activate", new byte[0], callTimeout, MAX_ACTIVATE_RESPONSE);
        } catch (IOException ex) {
            throw new PluginStartException("plugin " + name + " failed /Plugin.Activate: " + ex.getMessage(),
                    inc.stderrTail(), ex);
        }
        List<String> implemented;
        try {
            JsonObject body = Json.parseObject(response.body(), MAX_ACTIVATE_RESPONSE);
            if (response.status() != 200) {
                throw new PluginStartException("plugin " + name + " answered /Plugin.Activate with HTTP "
                        + response.status() + ": " + body.string("Err"), inc.stderrTail(), null);
            }
            List<String> list = body.stringArray("Implements");
            implemented = list == null ? List.of() : list;
        } catch (IllegalArgumentException ex) {
            throw new PluginStartException("plugin " + name + " answered /Plugin.Activate with HTTP "
                    + response.status() + " and no valid JSON: " + ex.getMessage(), inc.stderrTail(), ex);
        }
        List<String> missing = missingCapabilities(e.launch.config(), implemented);
        if (!missing.isEmpty()) {
            throw new PluginStartException("plugin " + name + " declares " + missing + " but its /Plugin.Activate"
                    + " implements only " + implemented, inc.stderrTail(), null);
        }
        return implemented;
    }

    /** The runtime's transport for this incarnation, or HTTP over the plugin's socket. */
    private static PluginTransport transport(Entry e, Incarnation inc) {
        return inc.transport != null ? inc.transport : new UnixSocketTransport(e.socket);
    }

    /** The config's {@code docker.*} capabilities that the activation answer does not name (ignoring case). */
    static List<String> missingCapabilities(PluginConfig config, List<String> implemented) {
        List<String> lower = implemented.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        List<String> missing = new ArrayList<>();
        for (Capability c : config.pluginInterface().typesOrEmpty()) {
            if (Capability.DOCKER_PREFIX.equals(c.prefix()) && !lower.contains(c.capability().toLowerCase(Locale.ROOT))) {
                missing.add(c.toString());
            }
        }
        return missing;
    }

    /** SIGTERM, wait, SIGKILL, wait. Never throws for a plugin that will not die. */
    private void stop(Entry e, Incarnation inc) {
        String id = e.launch.id();
        if (waitExit(inc, Duration.ZERO)) {
            return;
        }
        try {
            if (!runtime.signal(id, PluginRuntime.Signal.TERM)) {
                return;
            }
        } catch (PluginException ex) {
            LOG.warn("sending SIGTERM to plugin {} failed", e.launch.name(), ex);
        }
        if (waitExit(inc, stopTimeout)) {
            return;
        }
        LOG.info("plugin {} did not stop within {} ms of SIGTERM; sending SIGKILL", e.launch.name(),
                stopTimeout.toMillis());
        try {
            runtime.signal(id, PluginRuntime.Signal.KILL);
        } catch (PluginException ex) {
            LOG.warn("sending SIGKILL to plugin {} failed", e.launch.name(), ex);
        }
        if (!waitExit(inc, killTimeout)) {
            LOG.warn("plugin {} did not exit within {} ms of SIGKILL", e.launch.name(), killTimeout.toMillis());
        }
    }

    private static boolean waitExit(Incarnation inc, Duration timeout) {
        try {
            inc.exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException ex) {
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Deletes the container and the exec dir. */
    private void cleanup(String id) {
        runtime.delete(id);
        deleteQuietly(execRoot.toAbsolutePath().resolve(id));
    }

    private void prepareDirs(PluginConfig config, SpecPaths paths) {
        try {
            // a fresh socket dir: a stale socket from an earlier run must never count as "up"
            deleteRecursively(paths.execDir());
            Files.createDirectories(execRoot.toAbsolutePath());
            createPrivateDir(paths.execDir());
            if (!config.propagatedMount().isEmpty()) {
                Path prop = paths.propagatedMount();
                if (Files.isSymbolicLink(prop)) {
                    throw new SystemException("propagated mount " + prop + " is a symbolic link; refusing to use it");
                }
                Files.createDirectories(prop);
                // As Docker: the host side is rshared, so mounts the plugin makes inside appear here.
                if (!HostMounts.makeRShared(prop)) {
                    LOG.warn("propagated mount {} of plugin {} is not shared with the host (needs root)",
                            prop, paths.execDir().getFileName());
                }
            }
        } catch (IOException ex) {
            throw new SystemException("cannot prepare the directories of plugin at " + paths.execDir() + ": "
                    + ex.getMessage(), ex);
        }
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException ex) {
            LOG.warn("could not remove plugin directory {}", dir, ex);
        }
    }

    /** Removes a tree without following symbolic links (the plugin could have planted some). */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    // ---- crash handling (runs on runtime threads and the scheduler) ------------------------------

    /** Called with the entry's monitor held, when an incarnation that was up has died. */
    private void onCrash(Entry e, Incarnation inc, Throwable cause) {
        if (!e.wantRunning || e.current != inc || closed) {
            return;
        }
        String id = e.launch.id();
        if (inc.up && System.nanoTime() - inc.upAtNanos >= restartPolicy.stableAfter().toNanos()) {
            e.attempts = 0;
        }
        e.attempts++;
        if (e.attempts > restartPolicy.maxRestarts()) {
            int attempts = e.attempts - 1;
            e.wantRunning = false;
            LOG.error("plugin {} keeps exiting; giving up after {} restarts", e.launch.name(), attempts);
            submit(() -> {
                e.opLock.lock();
                try {
                    cleanup(id);
                    unmountPropagated(e.launch);
                } finally {
                    entries.remove(id, e);
                    e.link.close();
                    e.opLock.unlock();
                }
                listener.gaveUp(id, attempts, cause);
            });
            return;
        }
        int attempt = e.attempts;
        Duration delay = restartPolicy.delay(attempt);
        LOG.warn("plugin {} exited; restart {} of {} in {} ms", e.launch.name(), attempt,
                restartPolicy.maxRestarts(), delay.toMillis());
        submit(() -> listener.restarting(id, attempt, delay));
        try {
            e.pendingRestart = scheduler.schedule(() -> restart(e, attempt), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            LOG.debug("supervisor closed; not restarting plugin {}", e.launch.name(), ex);
        }
    }

    private void restart(Entry e, int attempt) {
        e.opLock.lock();
        try {
            synchronized (e) {
                e.pendingRestart = null;
                if (!e.wantRunning || closed) {
                    return;
                }
            }
            Incarnation inc;
            try {
                runtime.delete(e.launch.id());
                inc = startIncarnation(e);
            } catch (RuntimeException ex) {
                LOG.warn("restart {} of plugin {} failed: {}", attempt, e.launch.name(), ex.getMessage());
                synchronized (e) {
                    Incarnation failed = e.current;
                    if (failed != null) {
                        failed.up = false;
                        onCrash(e, failed, ex);
                    }
                }
                return;
            }
            markUp(e, inc, false);
            submit(() -> listener.restarted(e.launch.id(), attempt));
        } finally {
            e.opLock.unlock();
        }
    }

    private void submit(Runnable r) {
        try {
            scheduler.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException ex) {
                    LOG.warn("plugin supervisor callback failed", ex);
                }
            });
        } catch (RejectedExecutionException ex) {
            LOG.debug("supervisor closed; dropping a callback", ex);
        }
    }

    /** One plugin under supervision. Flags are guarded by the monitor; operations by {@link #opLock}. */
    private static final class Entry {
        final PluginLaunch launch;
        final SocketLink link;
        final Path socket;
        final Duration socketTimeout;
        final ReentrantLock opLock = new ReentrantLock();
        boolean wantRunning;
        Incarnation current;
        int attempts;
        ScheduledFuture<?> pendingRestart;

        Entry(PluginLaunch launch, SocketLink link, Duration socketTimeout) {
            this.launch = launch;
            this.link = link;
            this.socket = link.socket();
            this.socketTimeout = socketTimeout;
        }
    }

    /** One run of a plugin's container: its exit, its output, its stderr tail. */
    private final class Incarnation implements PluginRuntime.Listener {
        final Entry entry;
        final CompletableFuture<Void> exit = new CompletableFuture<>();
        final ArrayDeque<String> tail = new ArrayDeque<>();
        final Logger output;
        volatile RunningPlugin running;
        volatile PluginTransport transport;
        boolean up;
        boolean dead;
        long upAtNanos;

        Incarnation(Entry entry) {
            this.entry = entry;
            this.output = LoggerFactory.getLogger("dev.berth.plugins." + entry.launch.id().substring(0, 12));
        }

        @Override
        public void stdout(String line) {
            output.info("{}", line);
        }

        @Override
        public void stderr(String line) {
            output.warn("{}", line);
            synchronized (tail) {
                if (tail.size() == stderrTailLines) {
                    tail.removeFirst();
                }
                tail.addLast(line);
            }
        }

        List<String> stderrTail() {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        }

        @Override
        public void exited() {
            if (!exit.complete(null)) {
                return;
            }
            synchronized (entry) {
                dead = true;
                if (up) {
                    onCrash(entry, this, null);
                }
            }
        }
    }

    /** Builds supervisors. Setters are named after the settings; not thread-safe. */
    public static final class Builder {
        private PluginRuntime runtime;
        private Path execRoot;
        private Path socketLinkRoot = Path.of(System.getProperty("java.io.tmpdir"));
        private Duration socketTimeout = Duration.ofSeconds(10);
        private Duration pollInitial = Duration.ofMillis(2);
        private Duration pollMax = Duration.ofMillis(100);
        private boolean activate;
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Duration killTimeout = Duration.ofSeconds(10);
        private RestartPolicy restartPolicy = RestartPolicy.DEFAULT;
        private SupervisorListener listener = SupervisorListener.NONE;
        private DeviceResolver deviceResolver = DeviceResolver.host();
        private int stderrTailLines = 20;
        private ScheduledExecutorService scheduler;

        private Builder() {
        }

        /** The runtime that runs the containers (required). @return this */
        public Builder runtime(PluginRuntime value) {
            runtime = Objects.requireNonNull(value, "runtime");
            return this;
        }

        /** The directory of the plugins' socket dirs, Docker's {@code /run/docker/plugins} (required). @return this */
        public Builder execRoot(Path value) {
            execRoot = Objects.requireNonNull(value, "execRoot");
            return this;
        }

        /**
         * Where short links to plugin sockets go when {@code <exec-root>/<id>/<socket>} is longer than
         * the 106 bytes a unix socket address may hold; default
         * {@code java.io.tmpdir}. Each such plugin gets a private directory there, removed when it is
         * disabled, fails to start, is given up, or the supervisor closes.
         *
         * @return this
         */
        public Builder socketLinkRoot(Path value) {
            socketLinkRoot = Objects.requireNonNull(value, "socketLinkRoot");
            return this;
        }

        /** How long a starting plugin has to serve its socket; default 10 s (Docker: about 12.5 s). @return this */
        public Builder socketTimeout(Duration value) {
            socketTimeout = positive(value, "socketTimeout");
            return this;
        }

        /**
         * The socket poll backoff: first delay and longest delay; default 2 ms doubling to 100 ms (Docker:
         * a fixed 500 ms, then 3 s).
         *
         * @return this
         */
        public Builder socketPoll(Duration initial, Duration max) {
            pollInitial = positive(initial, "initial");
            pollMax = positive(max, "max");
            if (pollMax.compareTo(pollInitial) < 0) {
                throw new IllegalArgumentException("max poll delay " + max + " is below the initial " + initial);
            }
            return this;
        }

        /**
         * Whether to call {@code /Plugin.Activate} after the socket accepts and check its
         * {@code Implements}; default false, as Docker does not activate managed plugins.
         *
         * @return this
         */
        public Builder activate(boolean value) {
            activate = value;
            return this;
        }

        /** The deadline of the activation call; default 5 s. @return this */
        public Builder callTimeout(Duration value) {
            callTimeout = positive(value, "callTimeout");
            return this;
        }

        /** How long a plugin has to exit after SIGTERM; default 10 s, as Docker. @return this */
        public Builder stopTimeout(Duration value) {
            stopTimeout = nonNegative(value, "stopTimeout");
            return this;
        }

        /** How long to wait after SIGKILL; default 10 s, as Docker. @return this */
        public Builder killTimeout(Duration value) {
            killTimeout = nonNegative(value, "killTimeout");
            return this;
        }

        /** The crash-restart policy; default {@link RestartPolicy#DEFAULT}. @return this */
        public Builder restartPolicy(RestartPolicy value) {
            restartPolicy = Objects.requireNonNull(value, "restartPolicy");
            return this;
        }

        /** Who hears about restarts and give-ups. @return this */
        public Builder listener(SupervisorListener value) {
            listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** Finds device nodes for the plugins' devices; default the host's. @return this */
        public Builder deviceResolver(DeviceResolver value) {
            deviceResolver = Objects.requireNonNull(value, "deviceResolver");
            return this;
        }

        /** How many stderr lines a start failure reports; default 20. @return this */
        public Builder stderrTailLines(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("stderrTailLines must be positive: " + value);
            }
            stderrTailLines = value;
            return this;
        }

        /**
         * The scheduler for restarts and callbacks; by default the supervisor creates one daemon thread
         * and shuts it down on close. A given scheduler is not shut down.
         *
         * @return this
         */
        public Builder scheduler(ScheduledExecutorService value) {
            scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * A new supervisor.
         *
         * @throws IllegalStateException naming every missing setting
         */
        public PluginSupervisor build() {
            List<String> missing = new ArrayList<>();
            if (runtime == null) {
                missing.add("runtime");
            }
            if (execRoot == null) {
                missing.add("execRoot");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("PluginSupervisor needs " + String.join(", ", missing));
            }
            return new PluginSupervisor(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}
