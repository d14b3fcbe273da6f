package dev.berth.runc;

import dev.berth.exception.SystemException;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import dev.berth.plugin.Plugin;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.RuntimeSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs plugins with {@code runc}, one container per plugin, without a daemon or shim.
 *
 * <ul>
 *   <li>Each container gets a bundle {@code <bundle-root>/<id>/} (0700) holding {@code config.json}
 *       (0600: it may carry secrets set through env) and the plugin's {@code stdout.log} and
 *       {@code stderr.log}. runc keeps its state under its own {@code --root}, never the system's.
 *   <li>{@code runc run --detach} starts the container with its standard output and error appended to
 *       those files, so the plugin keeps running, and writing, when the JVM goes away; a later
 *       instance re-attaches with {@link #reattach}.
 *   <li>One watcher thread polls every {@link Builder#pollInterval} (default 20 ms): it forwards new
 *       output lines to the listener (lines longer than {@link Builder#maxLineLength} are split, so a
 *       plugin writing without newlines cannot exhaust memory) and detects the exit of the init
 *       process by its {@code /proc} entry (a zombie counts as exited; a reused PID is told apart by
 *       its start time). A log file larger than 1 MiB is truncated once read (output written in the
 *       same instant may be lost).
 * </ul>
 *
 * <p>Needs root (or a rootless runc set-up) and a runc with the CVE-2024-21626 fix. Thread-safe.
 * {@link #close} stops watching and leaves containers running.
 *
 * <p>One class, although long: the runc invocations, the PID watcher and the log pump share the state of
 * each container, and a container's start, exit and delete must be seen by all three in one order.
 */
public final class RuncRuntime implements PluginRuntime, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuncRuntime.class);
    private static final long MAX_LOG_BYTES = 1 << 20;
    private static final int MAX_COMMAND_OUTPUT = 64 * 1024;

    private final Path runc;
    private final Path stateRoot;
    private final Path bundleRoot;
    private final Duration commandTimeout;
    private final Duration pollInterval;
    private final int maxLineLength;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean closed;

    private RuncRuntime(Builder b) {
        this.runc = b.runc;
        this.stateRoot = b.stateRoot.toAbsolutePath();
        this.bundleRoot = b.bundleRoot.toAbsolutePath();
        this.commandTimeout = b.commandTimeout;
        this.pollInterval = b.pollInterval;
        this.maxLineLength = b.maxLineLength;
        this.watcher = new Thread(this::watchLoop, "berth-runc-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** A builder; {@code runc}, {@code stateRoot} and {@code bundleRoot} are required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- PluginRuntime -----------------------------------------------------------------------

    @Override
    public void start(String id, RuntimeSpec spec, Listener listener) {
        checkId(id);
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        Path bundle = bundleRoot.resolve(id);
        if (Files.exists(bundle, LinkOption.NOFOLLOW_LINKS)) {
            // a leftover of an earlier run (a crashed JVM): never clobber a live container's bundle,
            // and clear a dead one, which would make 'runc run' fail with "already exists"
            if (isRunning(id)) {
                throw new SystemException("plugin container " + id + " is already running");
            }
            delete(id);
        }
        try {
            Files.createDirectories(bundleRoot);
            Files.createDirectories(stateRoot);
            Files.createDirectory(bundle, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path config = bundle.resolve("config.json");
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(config, spec.toJson());
            Files.createFile(bundle.resolve("stdout.log"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.createFile(bundle.resolve("stderr.log"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new SystemException("cannot write the runc bundle of plugin " + id + " in " + bundle + ": "
                    + e.getMessage(), e);
        }
        Watch watch = new Watch(id, bundle, listener);
        int exit;
        try {
            ProcessBuilder pb = new ProcessBuilder(runc.toString(), "--root", stateRoot.toString(), "run", "--detach",
                    "--bundle", bundle.toString(), "--pid-file", bundle.resolve("init.pid").toString(), "--", id);
            // The container inherits runc's stdout and stderr. Files (not pipes) keep working when the
            // JVM is gone; ProcessBuilder can only name them as java.io.File.
            pb.redirectOutput(Redirect.appendTo(bundle.resolve("stdout.log").toFile()));
            pb.redirectError(Redirect.appendTo(bundle.resolve("stderr.log").toFile()));
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                exit = -1;
            } else {
                exit = p.exitValue();
            }
        } catch (IOException e) {
            cleanupQuietly(id, bundle);
            throw new SystemException("cannot run " + runc + " for plugin " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cleanupQuietly(id, bundle);
            throw new SystemException("interrupted while starting plugin " + id, e);
        }
        if (exit != 0) {
            watch.pump();
            String tail = String.join("\n", watch.lastErrLines);
            cleanupQuietly(id, bundle);
            throw new SystemException("runc run of plugin " + id + " failed (exit " + exit + "): " + tail);
        }
        try {
            long pid = Long.parseLong(Files.readString(bundle.resolve("init.pid")).trim());
            watch.attach(pid);
        } catch (IOException | NumberFormatException e) {
            cleanupQuietly(id, bundle);
            throw new SystemException("runc did not record the PID of plugin " + id + ": " + e.getMessage(), e);
        }
        watches.put(id, watch);
        LOG.debug("plugin {} runs as PID {}", id, watch.pid);
    }

    @Override
    public boolean signal(String id, Signal signal) {
        checkId(id);
        Objects.requireNonNull(signal, "signal");
        Watch w = watches.get(id);
        if (w != null && !w.alive()) {
            return false;
        }
        Result r = runc("kill", "--", id, signal.name());
        if (r.exit != 0) {
            if (!isRunning(id)) {
                return false;
            }
            throw new SystemException("runc kill " + signal + " of plugin " + id + " failed: " + r.output);
        }
        return true;
    }

    @Override
    public void delete(String id) {
        checkId(id);
        Watch w = watches.remove(id);
        if (w != null) {
            w.pump();
            w.close();
        }
        Result r = runc("delete", "--force", "--", id);
        if (r.exit != 0 && exists(id)) {
            throw new SystemException("runc delete of plugin " + id + " failed: " + r.output);
        }
        try {
            deleteBundle(bundleRoot.resolve(id));
        } catch (IOException e) {
            throw new SystemException("cannot remove the runc bundle of plugin " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isRunning(String id) {
        checkId(id);
        JsonObject state = state(id);
        return state != null && "running".equals(state.string("status"));
    }

    @Override
    public boolean reattach(String id, Listener listener) {
        checkId(id);
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        JsonObject state = state(id);
        if (state == null) {
            return false;
        }
        long pid = state.integer("pid", 0, Integer.MAX_VALUE);
        Watch watch = new Watch(id, bundleRoot.resolve(id), listener);
        if (!"running".equals(state.string("status")) || pid <= 0 || !watch.attach(pid)) {
            delete(id);
            return false;
        }
        // only output written from now on: what came before was forwarded by the previous owner
        watch.skipExistingOutput();
        Watch previous = watches.put(id, watch);
        if (previous != null) {
            previous.close();
        }
        LOG.debug("re-attached to plugin {} (PID {})", id, pid);
        return true;
    }

    @Override
    public void detach(String id) {
        checkId(id);
        Watch w = watches.remove(id);
        if (w != null) {
            w.pump();
            w.close();
        }
    }

    /** Stops watching; containers keep running. Idempotent. */
    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        try {
            watcher.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Watch w : watches.values()) {
            w.close();
        }
        watches.clear();
    }

    /** The PID of a watched container's init process, as the host sees it. */
    public OptionalLong pid(String id) {
        Watch w = watches.get(id);
        return w == null ? OptionalLong.empty() : OptionalLong.of(w.pid);
    }

    // ---- internals ---------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the runc runtime is closed");
        }
    }

    private static void checkId(String id) {
        Objects.requireNonNull(id, "id");
        if (!Plugin.isId(id)) {
            throw new IllegalArgumentException("a container ID must be a plugin ID (64 lower-case hex): \"" + id + "\"");
        }
    }

    private boolean exists(String id) {
        return state(id) != null;
    }

    /** {@code runc state}, or null when the container does not exist. */
    private JsonObject state(String id) {
        Result r = runc("state", "--", id);
        if (r.exit != 0) {
            if (r.output.contains("does not exist") || r.output.contains("not found")) {
                return null;
            }
            throw new SystemException("runc state of plugin " + id + " failed: " + r.output);
        }
        try {
            return Json.parseObject(r.output.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new SystemException("runc state of plugin " + id + " is not JSON: " + e.getMessage(), e);
        }
    }

    private record Result(int exit, String output) {
    }

    private Result runc(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(runc.toString());
        cmd.add("--root");
        cmd.add(stateRoot.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(MAX_COMMAND_OUTPUT);
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            if (!p.waitFor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SystemException("runc " + args[0] + " did not finish within " + commandTimeout.toMillis() + " ms");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new SystemException("cannot run " + runc + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemException("interrupted while running runc " + args[0], e);
        }
    }

    private void cleanupQuietly(String id, Path bundle) {
        try {
            runc("delete", "--force", "--", id);
            deleteBundle(bundle);
        } catch (RuntimeException | IOException e) {
            LOG.warn("cleanup after a failed start of plugin {} failed", id, e);
        }
    }

    /**
     * Removes a bundle directory. It holds only the flat files this class writes (config.json,
     * init.pid, the two logs), so anything else in it is an error, not something to recurse into.
     */
    private static void deleteBundle(Path bundle) throws IOException {
        if (!Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(bundle);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(bundle)) {
            for (Path entry : entries) {
                Files.delete(entry);
            }
        }
        Files.delete(bundle);
    }

    private void watchLoop() {
        while (!closed) {
            for (Watch w : watches.values()) {
                try {
                    w.pump();
                    if (!w.alive()) {
                        w.pump();
                        if (watches.remove(w.id, w)) {
                            w.close();
                            w.listener.exited();
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warn("watching plugin {} failed", w.id, e);
                }
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One watched container: its init PID and its two log files. */
    private final class Watch {
        final String id;
        final Listener listener;
        final LogTail out;
        final LogTail err;
        final List<String> lastErrLines = new ArrayList<>();
        long pid;
        String startTime;

        Watch(String id, Path bundle, Listener listener) {
            this.id = id;
            this.listener = listener;
            this.out = new LogTail(bundle.resolve("stdout.log"), false);
            this.err = new LogTail(bundle.resolve("stderr.log"), true);
        }

        /** Starts watching a PID; false if it is not alive. */
        boolean attach(long value) {
            pid = value;
            startTime = procStartTime(pid);
            return startTime != null;
        }

        boolean alive() {
            String now = procStartTime(pid);
            return now != null && now.equals(startTime);
        }

        void skipExistingOutput() {
            out.skipToEnd();
            err.skipToEnd();
        }

        synchronized void pump() {
            out.pump();
            err.pump();
        }

        synchronized void close() {
            out.close();
            err.close();
        }

        /** Reads new bytes of one log file and forwards complete lines. */
        private final class LogTail {
            private final Path file;
            private final boolean stderr;
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();
            private final ByteBuffer buf = ByteBuffer.allocate(8192);
            private FileChannel ch;
            private long position;

            LogTail(Path file, boolean stderr) {
                this.file = file;
                this.stderr = stderr;
            }

            void skipToEnd() {
                try {
                    position = Files.size(file);
                } catch (IOException e) {
                    position = 0;
                }
            }

            void pump() {
                try {
                    if (ch == null) {
                        if (!Files.exists(file)) {
                            return;
                        }
                        ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    }
                    long size = ch.size();
                    if (size < position) {
                        position = 0;
                    }
                    long budget = MAX_LOG_BYTES;
                    while (position < size && budget > 0) {
                        buf.clear();
                        int n = ch.read(buf, position);
                        if (n <= 0) {
                            break;
                        }
                        position += n;
                        budget -= n;
                        for (int i = 0; i < n; i++) {
                            byte b = buf.get(i);
                            if (b == '\n') {
                                emit();
                            } else {
                                line.write(b);
                                if (line.size() >= maxLineLength) {
                                    emit();
                                }
                            }
                        }
                    }
                    if (position >= MAX_LOG_BYTES && position == ch.size()) {
                        // the plugin appends (O_APPEND), so after truncation it writes at offset 0 again
                        ch.truncate(0);
                        position = 0;
                    }
                } catch (IOException e) {
                    LOG.debug("reading {} failed", file, e);
                }
            }

            private void emit() {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (stderr) {
                    lastErrLines.add(text);
                    if (lastErrLines.size() > 20) {
                        lastErrLines.remove(0);
                    }
                    listener.stderr(text);
                } else {
                    listener.stdout(text);
                }
            }

            void close() {
                if (line.size() > 0) {
                    emit();
                }
                try {
                    if (ch != null) {
                        ch.close();
                    }
                } catch (IOException e) {
                    LOG.debug("closing {} failed", file, e);
                }
            }
        }
    }

    /**
     * The start time of a live process from {@code /proc/<pid>/stat} (field 22), or null when there is
     * no such process or it is a zombie (exited, not yet reaped: the plugin is gone).
     */
    static String procStartTime(long pid) {
        String stat;
        try {
            stat = Files.readString(FileSystems.getDefault().getPath("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is the state (field 3); the start time is field 22
        if (fields.length < 20 || fields[0].equals("Z") || fields[0].equals("X")) {
            return null;
        }
        return fields[19];
    }

    /** Builds runc runtimes; not thread-safe. */
    public static final class Builder {
        private Path runc;
        private Path stateRoot;
        private Path bundleRoot;
        private Duration commandTimeout = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofMillis(20);
        private int maxLineLength = 16 * 1024;

        private Builder() {
        }

        /** The runc binary, an absolute path (never looked up on {@code PATH}) (required). @return this */
        public Builder runc(Path value) {
            Objects.requireNonNull(value, "runc");
            if (!value.isAbsolute()) {
                throw new IllegalArgumentException("the runc binary must be an absolute path: " + value);
            }
            runc = value;
            return this;
        }

        /** runc's state directory ({@code --root}), Berth's own, not the system's (required). @return this */
        public Builder stateRoot(Path value) {
            stateRoot = Objects.requireNonNull(value, "stateRoot");
            return this;
        }

        /** Where bundles are written, one directory per plugin (required). @return this */
        public Builder bundleRoot(Path value) {
            bundleRoot = Objects.requireNonNull(value, "bundleRoot");
            return this;
        }

        /** The deadline of each runc command; default 30 s. @return this */
        public Builder commandTimeout(Duration value) {
            commandTimeout = Objects.requireNonNull(value, "commandTimeout");
            return this;
        }

        /** How often output is forwarded and exits detected; default 20 ms. @return this */
        public Builder pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.toMillis() < 1) {
                throw new IllegalArgumentException("pollInterval must be at least 1 ms: " + value);
            }
            pollInterval = value;
            return this;
        }

        /** The longest output line forwarded; longer ones are split; default 16 KiB. @return this */
        public Builder maxLineLength(int value) {
            if (value < 80) {
                throw new IllegalArgumentException("maxLineLength must be at least 80: " + value);
            }
            maxLineLength = value;
            return this;
        }

        /**
         * A new runtime; it starts its watcher thread.
         *
         * @throws IllegalStateException naming every missing setting
         */
        public RuncRuntime build() {
            List<String> missing = new ArrayList<>();
            if (runc == null) {
                missing.add("runc");
            }
            if (stateRoot == null) {
                missing.add("stateRoot");
            }
            if (bundleRoot == null) {
                missing.add("bundleRoot");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("RuncRuntime needs " + String.join(", ", missing));
            }
            return new RuncRuntime(this);
        }
    }
}
