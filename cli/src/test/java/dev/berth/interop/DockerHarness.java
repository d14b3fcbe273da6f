package dev.berth.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A private containerd, dockerd and distribution registry for the interoperability tests, all state
 * under one temporary directory, loopback only, no system service and no network changes (no
 * iptables, no bridge), as shared/spec/real-components.md §2 describes. Everything it starts it stops
 * by its own process handle; plugins it made are removed with {@code docker plugin rm -f}; mounts left
 * under its directory are unmounted.
 *
 * <p>Only dockerd's plugin socket directory is not relocatable: {@code /run/docker/plugins/<id>/}. The
 * harness removes exactly the IDs of the plugins it created there.
 */
final class DockerHarness implements AutoCloseable {
    /** The Debian client, 20.10 like the daemon (a newer client may live in /usr/local/bin). */
    static final Path DOCKER = Path.of("/usr/bin/docker");
    private static final Duration START = Duration.ofSeconds(60);

    private final Path base;
    private final List<Process> started = new ArrayList<>();
    private final Set<String> pluginIds = new LinkedHashSet<>();
    /** Fixed paths dockerd and containerd write outside the base directory that did not exist before. */
    private final List<Path> createdOutside = new ArrayList<>();
    private Process containerd;
    private Process dockerd;
    private LoopbackRegistry registry;

    private DockerHarness(Path base) {
        this.base = base;
    }

    /** What is missing for the harness to run here, or empty. */
    static Optional<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String bin : List.of("/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/docker-registry",
                "/usr/bin/curl")) {
            if (!Files.isExecutable(Path.of(bin))) {
                missing.add(bin);
            }
        }
        if (!Files.isExecutable(DOCKER)) {
            missing.add(DOCKER.toString());
        }
        if (!isRoot()) {
            missing.add("root");
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("needs " + String.join(", ", missing) + " (apt-get install -y docker.io docker-registry curl, as root)");
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Starts containerd, dockerd and a registry; on failure stops what started and throws. */
    static DockerHarness start() throws IOException {
        // Short: containerd's ttrpc socket path must fit the 107 bytes of a unix socket address.
        Path base = Files.createDirectory(Path.of("/tmp", "bi-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt())));
        DockerHarness h = new DockerHarness(base);
        for (Path p : List.of(Path.of("/etc/docker/key.json"), Path.of("/run/docker"), Path.of("/run/containerd"))) {
            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                h.createdOutside.add(p);
            }
        }
        try {
            h.startContainerd();
            h.startDockerd();
            h.startRegistry();
            return h;
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    Path base() {
        return base;
    }

    /** {@code 127.0.0.1:<port>} of the registry. */
    String registry() {
        return registry.address();
    }

    Path socket() {
        return base.resolve("dk/docker.sock");
    }

    private void startContainerd() throws IOException {
        Path ctd = Files.createDirectories(base.resolve("ctd"));
        Files.writeString(ctd.resolve("config.toml"), String.join("\n",
                "version = 2",
                "root = \"" + ctd.resolve("root") + "\"",
                "state = \"" + ctd.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                "[grpc]",
                "  address = \"" + ctd.resolve("containerd.sock") + "\"",
                "[ttrpc]",
                "  address = \"" + ctd.resolve("containerd.sock.ttrpc") + "\"",
                "[debug]",
                "  level = \"info\"", ""));
        containerd = spawn(ctd.resolve("log"), "containerd", "--config", ctd.resolve("config.toml").toString());
        String sock = ctd.resolve("containerd.sock").toString();
        await("containerd", containerd, ctd.resolve("log"),
                () -> Procs.run(Map.of(), Duration.ofSeconds(10), List.of("ctr", "-a", sock, "version")).code() == 0);
    }

    private void startDockerd() throws IOException {
        Path dk = Files.createDirectories(base.resolve("dk"));
        Files.createDirectories(dk.resolve("root"));
        Files.createDirectories(dk.resolve("exec"));
        dockerd = spawn(dk.resolve("log"), "dockerd",
                "--data-root", dk.resolve("root").toString(),
                "--exec-root", dk.resolve("exec").toString(),
                "--pidfile", dk.resolve("dockerd.pid").toString(),
                "-H", "unix://" + socket(),
                "--containerd", base.resolve("ctd/containerd.sock").toString(),
                "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                // Plugins do not use the graph driver; vfs works on any file system.
                "--storage-driver=vfs", "--log-level=info");
        await("dockerd", dockerd, dk.resolve("log"), () -> docker("version").code() == 0);
    }

    private void startRegistry() throws IOException {
        registry = LoopbackRegistry.start(base.resolve("registry"));
    }

    /** Starts a daemon with its output appended to {@code log} (through sh, so no java.io.File is needed). */
    private Process spawn(Path log, String... command) throws IOException {
        StringBuilder cmd = new StringBuilder("exec");
        for (String c : command) {
            cmd.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        cmd.append(" >> '").append(log).append("' 2>&1 < /dev/null");
        Process p = new ProcessBuilder("sh", "-c", cmd.toString()).start();
        p.getOutputStream().close();
        started.add(p);
        return p;
    }

    private static void await(String what, Process p, Path log, BooleanSupplier ready) {
        long deadline = System.nanoTime() + START.toNanos();
        while (!ready.getAsBoolean()) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " exited " + p.exitValue() + ": " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not ready within " + START + ": " + tail(log));
            }
            try {
                p.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if the daemon dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Runs {@code /usr/bin/docker} against the private daemon. */
    Procs.Result docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
        cmd.addAll(List.of(args));
        Procs.Result r = Procs.run(Map.of("DOCKER_HOST", "unix://" + socket(), "DOCKER_CONFIG", base.resolve("docker-config").toString()),
                Duration.ofSeconds(120), cmd);
        if (args.length > 1 && args[0].equals("plugin") && (args[1].equals("create") || args[1].equals("install"))
                && r.code() == 0) {
            rememberPlugins();
        }
        return r;
    }

    /** A GET on the Engine API, through curl's unix-socket support. */
    String engineGet(String pathAndQuery) {
        return Procs.run(Map.of(), Duration.ofSeconds(60), List.of("curl", "-sf", "--unix-socket", socket().toString(),
                "http://localhost" + pathAndQuery)).orThrow().out();
    }

    private void rememberPlugins() {
        Procs.Result ids = docker("plugin", "ls", "-q", "--no-trunc");
        if (ids.code() == 0) {
            ids.out().lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(pluginIds::add);
        }
    }

    @Override
    public void close() {
        if (dockerd != null && dockerd.isAlive()) {
            rememberPlugins();
            for (String id : pluginIds) {
                docker("plugin", "rm", "-f", id);
            }
        }
        // dockerd first (it stops enabled plugins through containerd), then containerd, then the registry.
        for (Process p : List.of(Optional.ofNullable(dockerd), Optional.ofNullable(containerd))
                .stream().flatMap(Optional::stream).toList()) {
            stop(p);
        }
        started.forEach(DockerHarness::stop);
        if (registry != null) {
            registry.close();
        }
        unmountUnder(base);
        for (String id : pluginIds) {
            deleteTree(Path.of("/run/docker/plugins", id));
        }
        deleteTree(base);
        for (Path p : createdOutside) {
            deleteIfOnlyDirectories(p);
        }
    }

    /**
     * Deletes a path dockerd created outside the base: a file outright, a directory only when nothing but
     * empty directories is left in it (another daemon's sockets are never touched).
     */
    private static void deleteIfOnlyDirectories(Path p) {
        try {
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(p);
                return;
            }
            if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> s = Files.walk(p)) {
                if (s.allMatch(x -> Files.isDirectory(x, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                    deleteTree(p);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Left behind is harmless; the next start works with it.
        }
    }

    private static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Unmounts, deepest first, whatever is still mounted under {@code dir}. */
    private static void unmountUnder(Path dir) {
        List<String> points = new ArrayList<>();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            lines.map(l -> l.split(" ")).filter(f -> f.length > 4)
                    .map(f -> f[4].replace("\\040", " "))
                    .filter(m -> m.startsWith(dir.toString() + "/"))
                    .forEach(points::add);
        } catch (IOException e) {
            return;
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String m : points) {
            Procs.run(Map.of(), Duration.ofSeconds(30), List.of("umount", "-l", m));
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
