package dev.berth.testkit.runtime;

import dev.berth.exception.SystemException;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RuntimeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link PluginRuntime} without containers, for tests of code that enables and disables plugins.
 * A "container" is a record in memory; when the configured {@link Behavior} says so, it serves a real
 * unix socket (a {@link FakePluginServer}) in the socket directory the spec mounts at
 * {@code /run/docker/plugins}, so the supervisor's socket wait and activation run for real.
 *
 * <p>{@link #inProcess} makes a fake that opens no socket and writes nothing anywhere: its plugins
 * answer through an in-process {@link PluginTransport} ({@link #transport}), which the supervisor waits
 * for and activates through, and which {@code PluginManager.endpoint(name).transport()} hands to clients.
 * With a plugin root and exec root on an in-memory file system, a whole plugin life runs in memory.
 *
 * <p>Tests make plugins crash with {@link #crash}, write stderr with {@link #stderr}, and inspect what
 * happened with {@link #starts}, {@link #signals} and {@link #specs}. Thread-safe.
 */
public final class FakePluginRuntime implements PluginRuntime {
    /** How the next started containers behave. */
    public enum Behavior {
        /** Serves the socket; exits on SIGTERM. */
        SERVE,
        /** Serves the socket; ignores SIGTERM (SIGKILL still kills). */
        SERVE_IGNORING_TERM,
        /** Runs but never opens its socket; exits on SIGTERM. */
        NEVER_LISTEN,
        /** Writes a line to stderr and exits right after starting. */
        EXIT_AT_ONCE,
        /** The runtime itself fails to start the container. */
        FAIL_TO_START
    }

    private final String socketName;
    private final Function<FakePluginServer.Request, FakePluginServer.Response> handler;
    private final boolean inProcess;
    /** Runs in-process calls, so that a call's deadline holds; daemon threads, idle ones end. */
    private static final java.util.concurrent.ExecutorService CALLS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-plugin-call");
        t.setDaemon(true);
        return t;
    });
    private final List<FakePluginServer.Request> inProcessRequests = new CopyOnWriteArrayList<>();
    private final Map<String, Container> containers = new HashMap<>();
    private final List<String> starts = new ArrayList<>();
    private final List<String> signals = new ArrayList<>();
    private final List<RuntimeSpec> specs = new ArrayList<>();
    private Behavior behavior = Behavior.SERVE;

    /**
     * @param socketName the socket file name the fake plugins serve (the config's {@code Interface.Socket})
     * @param handler    answers the requests a serving fake plugin gets
     */
    public FakePluginRuntime(String socketName, Function<FakePluginServer.Request, FakePluginServer.Response> handler) {
        this(socketName, handler, false);
    }

    private FakePluginRuntime(String socketName, Function<FakePluginServer.Request, FakePluginServer.Response> handler,
                              boolean inProcess) {
        this.socketName = Objects.requireNonNull(socketName, "socketName");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.inProcess = inProcess;
    }

    /**
     * A fake whose plugins serve no socket: the supervisor and clients reach them through
     * {@link #transport}, which hands each request to {@code handler} on the caller's thread (for
     * example a {@link FakeDriverPlugin}). Nothing is written to any file system.
     */
    public static FakePluginRuntime inProcess(Function<FakePluginServer.Request, FakePluginServer.Response> handler) {
        return new FakePluginRuntime("in-process", handler, true);
    }

    /** A fake whose plugins answer Activate with the given interfaces and everything else with no error. */
    public FakePluginRuntime(String socketName, String... implemented) {
        this(socketName, FakePluginServer.activating(implemented));
    }

    private static final class Container {
        final String id;
        final Behavior behavior;
        final Listener listener;
        FakePluginServer server;
        boolean running = true;
        boolean watched = true;

        Container(String id, Behavior behavior, Listener listener) {
            this.id = id;
            this.behavior = behavior;
            this.listener = listener;
        }
    }

    /** Sets how containers started from now on behave. */
    public synchronized void behavior(Behavior value) {
        behavior = Objects.requireNonNull(value, "behavior");
    }

    @Override
    public void start(String id, RuntimeSpec spec, Listener listener) {
        Container c;
        synchronized (this) {
            starts.add(id);
            specs.add(spec);
            if (behavior == Behavior.FAIL_TO_START) {
                throw new SystemException("fake runtime: cannot start " + id);
            }
            if (containers.containsKey(id)) {
                throw new SystemException("fake runtime: container " + id + " already exists");
            }
            c = new Container(id, behavior, listener);
            containers.put(id, c);
        }
        switch (c.behavior) {
            case SERVE, SERVE_IGNORING_TERM -> {
                if (inProcess) {
                    // answers through transport(id) from now on
                    break;
                }
                try {
                    c.server = FakePluginServer.start(socketDir(spec).resolve(socketName), handler);
                } catch (IOException e) {
                    throw new SystemException("fake runtime: cannot serve the socket of " + id, e);
                }
            }
            case EXIT_AT_ONCE -> {
                listener.stderr("fake plugin " + id + ": fatal: exiting at once");
                exit(c);
            }
            default -> {
                // runs without a socket
            }
        }
    }

    private static Path socketDir(RuntimeSpec spec) {
        return spec.mounts().stream()
                .filter(m -> m.destination().equals(PluginSpecGenerator.PLUGIN_SOCKET_DIR))
                .map(m -> FileSystems.getDefault().getPath(m.source()))
                .findFirst()
                .orElseThrow(() -> new SystemException("fake runtime: the spec mounts no socket directory"));
    }

    @Override
    public boolean signal(String id, Signal signal) {
        Container c;
        synchronized (this) {
            signals.add(id + ":" + signal);
            c = containers.get(id);
            if (c == null || !c.running) {
                return false;
            }
        }
        if (signal == Signal.KILL || c.behavior != Behavior.SERVE_IGNORING_TERM) {
            exit(c);
        }
        return true;
    }

    /** Makes a running container exit on its own, as a crash. */
    public void crash(String id) {
        Container c;
        synchronized (this) {
            c = containers.get(id);
        }
        if (c != null) {
            exit(c);
        }
    }

    /** Makes a running container write a line to its stderr. */
    public void stderr(String id, String line) {
        Container c;
        synchronized (this) {
            c = containers.get(id);
        }
        if (c != null && c.watched) {
            c.listener.stderr(line);
        }
    }

    private void exit(Container c) {
        boolean notify;
        synchronized (this) {
            if (!c.running) {
                return;
            }
            c.running = false;
            notify = c.watched;
        }
        if (c.server != null) {
            c.server.close();
        }
        if (notify) {
            c.listener.exited();
        }
    }

    @Override
    public void delete(String id) {
        Container c;
        synchronized (this) {
            c = containers.remove(id);
            if (c != null) {
                c.watched = false;
            }
        }
        if (c != null) {
            exit(c);
        }
    }

    @Override
    public synchronized boolean isRunning(String id) {
        Container c = containers.get(id);
        return c != null && c.running;
    }

    @Override
    public boolean reattach(String id, Listener listener) {
        synchronized (this) {
            Container c = containers.get(id);
            if (c == null) {
                return false;
            }
            if (!c.running) {
                containers.remove(id);
                return false;
            }
            Container again = new Container(id, c.behavior, listener);
            again.server = c.server;
            containers.put(id, again);
            return true;
        }
    }

    @Override
    public synchronized void detach(String id) {
        Container c = containers.get(id);
        if (c != null) {
            c.watched = false;
        }
    }

    /**
     * For an {@link #inProcess} fake, the in-process transport of a container: ready while it runs and
     * serves, calls handled by the handler; empty for a socket-serving fake (the supervisor then dials
     * the socket).
     */
    @Override
    public Optional<PluginTransport> transport(String id) {
        return inProcess ? Optional.of(new InProcessTransport(id)) : Optional.empty();
    }

    /** The requests the in-process plugins received, in order (empty for a socket-serving fake). */
    public List<FakePluginServer.Request> requests() {
        return List.copyOf(inProcessRequests);
    }

    /** A call into the handler, as long as the container runs and serves. */
    private final class InProcessTransport implements PluginTransport {
        private final String id;

        InProcessTransport(String id) {
            this.id = id;
        }

        @Override
        public boolean ready() {
            synchronized (FakePluginRuntime.this) {
                Container c = containers.get(id);
                return c != null && c.running
                        && (c.behavior == Behavior.SERVE || c.behavior == Behavior.SERVE_IGNORING_TERM);
            }
        }

        @Override
        public Response post(String path, byte[] body, Duration timeout, int maxResponseBytes) throws IOException {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(body, "body");
            if (!ready()) {
                throw new java.net.ConnectException("fake plugin " + id + " does not serve (connection refused)");
            }
            FakePluginServer.Request request = new FakePluginServer.Request(path, new String(body, StandardCharsets.UTF_8));
            inProcessRequests.add(request);
            FakePluginServer.Response r;
            // the deadline holds as on a socket: a slow handler runs on, its answer is dropped
            java.util.concurrent.CompletableFuture<FakePluginServer.Response> answer =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> handler.apply(request), CALLS);
            try {
                r = answer.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new java.net.SocketTimeoutException("fake plugin " + id + " did not answer " + path + " within "
                        + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while calling fake plugin " + id);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("fake plugin " + id + " failed: " + e.getCause(), e.getCause());
            }
            if (r.raw()) {
                throw new IOException("fake plugin " + id + " answered a malformed HTTP response");
            }
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > maxResponseBytes) {
                throw new IOException("fake plugin " + id + " answered " + bytes.length + " bytes, more than "
                        + maxResponseBytes);
            }
            return new Response(r.status(), bytes);
        }

        @Override
        public String address() {
            return "in-process:" + id;
        }
    }

    /** The IDs of the containers that exist now (running or exited, not deleted). */
    public synchronized List<String> containers() {
        return List.copyOf(containers.keySet());
    }

    /** How many times a container with this ID was started (including failed starts). */
    public synchronized int starts(String id) {
        return (int) starts.stream().filter(id::equals).count();
    }

    /** The signals sent, as {@code <id>:<signal>}, in order. */
    public synchronized List<String> signals() {
        return List.copyOf(signals);
    }

    /** The specs of every start, in order. */
    public synchronized List<RuntimeSpec> specs() {
        return List.copyOf(specs);
    }
}
