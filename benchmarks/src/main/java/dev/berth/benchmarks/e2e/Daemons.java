package dev.berth.benchmarks.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A private containerd and dockerd 20.10 under one directory, loopback only, no network changes, as
 * shared/spec/real-components.md §2 describes (and the CLI's interop tests do). Stops only what it
 * started, by process handle; removes the plugins it made and the mounts and directories left behind.
 */
final class Daemons implements AutoCloseable {
    static final Path DOCKER = Path.of("/usr/bin/docker");

    private final Path base;
    private final List<Path> createdOutside = new ArrayList<>();
    private Process containerd;
    private Process dockerd;

    private Daemons(Path base) {
        this.base = base;
    }

    /** What is missing for dockerd to run here, or empty. */
    static Optional<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String bin : List.of("/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/bin/ctr", DOCKER.toString())) {
            if (!Files.isExecutable(Path.of(bin))) {
                missing.add(bin);
            }
        }
        if (!Proc.isRoot()) {
            missing.add("root");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("needs " + String.join(", ", missing));
    }

    /** Starts containerd and dockerd under {@code base} (short: containerd's socket path must fit 107 bytes). */
    static Daemons start(Path base) throws IOException {
        Daemons d = new Daemons(Files.createDirectories(base));
        for (Path p : List.of(Path.of("/etc/docker/key.json"), Path.of("/run/docker"), Path.of("/run/containerd"))) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                d.createdOutside.add(p);
            }
        }
        try {
            d.startContainerd();
            d.startDockerd();
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    Path socket() {
        return base.resolve("dk/docker.sock");
    }

    /** The docker command line against this daemon. */
    List<String> docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "DOCKER_HOST=unix://" + socket(),
                "DOCKER_CONFIG=" + base.resolve("docker-config"), DOCKER.toString()));
        cmd.addAll(List.of(args));
        return cmd;
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
                "  address = \"" + ctd.resolve("containerd.sock.ttrpc") + "\"", ""));
        containerd = Proc.spawn(ctd.resolve("log"), "containerd", "--config", ctd.resolve("config.toml").toString());
        String sock = ctd.resolve("containerd.sock").toString();
        await("containerd", containerd, () -> Proc.quiet(List.of("ctr", "-a", sock, "version")));
    }

    private void startDockerd() throws IOException {
        Path dk = Files.createDirectories(base.resolve("dk"));
        Files.createDirectories(dk.resolve("root"));
        Files.createDirectories(dk.resolve("exec"));
        dockerd = Proc.spawn(dk.resolve("log"), "dockerd",
                "--data-root", dk.resolve("root").toString(),
                "--exec-root", dk.resolve("exec").toString(),
                "--pidfile", dk.resolve("dockerd.pid").toString(),
                "-H", "unix://" + socket(),
                "--containerd", base.resolve("ctd/containerd.sock").toString(),
                "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                // plugins do not use the graph driver; vfs works on any file system
                "--storage-driver=vfs", "--log-level=warn");
        await("dockerd", dockerd, () -> Proc.quiet(docker("version")));
    }

    private static void await(String what, Process p, BooleanSupplier ready) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not start (see its log under the work directory)");
            }
            try {
                p.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** The IDs of the plugins dockerd knows. */
    private List<String> pluginIds() {
        try {
            return Proc.output(docker("plugin", "ls", "-q", "--no-trunc")).lines().map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        List<String> ids = dockerd != null && dockerd.isAlive() ? pluginIds() : List.of();
        for (String id : ids) {
            Proc.quiet(docker("plugin", "rm", "-f", id));
        }
        Proc.stop(dockerd);
        Proc.stop(containerd);
        Proc.unmountUnder(base);
        for (String id : ids) {
            deleteTree(Path.of("/run/docker/plugins", id));
        }
        for (Path p : createdOutside) {
            try {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        if (s.allMatch(x -> Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS))) {
                            deleteTree(p);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // left behind is harmless: the next start works with it
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
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
