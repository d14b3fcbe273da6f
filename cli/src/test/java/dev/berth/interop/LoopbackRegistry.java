package dev.berth.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A plain {@code docker-registry} (distribution 2.8) on 127.0.0.1 and a free port, storage under a
 * given directory. Stopped by its own process handle.
 */
final class LoopbackRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration START = Duration.ofSeconds(30);

    private final Process process;
    private final int port;

    private LoopbackRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a registry keeping its data and log under {@code dir}. */
    static LoopbackRegistry start(Path dir) throws IOException {
        return start(dir, Optional.empty());
    }

    /** Starts a registry, with Basic authentication against an htpasswd file when given. */
    static LoopbackRegistry start(Path dir, Optional<Path> htpasswd) throws IOException {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log: {level: warn}",
                "storage:",
                "  filesystem: {rootdirectory: " + dir.resolve("data") + "}",
                "  delete: {enabled: true}",
                "http:",
                "  addr: 127.0.0.1:" + port,
                htpasswd.map(h -> "auth: {htpasswd: {realm: berth-test, path: " + h + "}}").orElse(""),
                ""));
        // Through sh so the log can be redirected without java.io.File; exec keeps the PID the registry's.
        Process p = new ProcessBuilder("sh", "-c", "exec '" + BINARY + "' serve '" + config + "' >> '"
                + dir.resolve("log") + "' 2>&1 < /dev/null").start();
        p.getOutputStream().close();
        LoopbackRegistry r = new LoopbackRegistry(p, port);
        long deadline = System.nanoTime() + START.toNanos();
        // Any HTTP answer (200, or 401 with auth) means it listens.
        while (!Procs.run(Map.of(), Duration.ofSeconds(5), List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "http://" + r.address() + "/v2/")).out().matches("200|401")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                r.close();
                throw new IOException("docker-registry did not start: " + String.join(" | ", Files.readAllLines(dir.resolve("log"))));
            }
            try {
                p.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.close();
                throw new IOException("interrupted", e);
            }
        }
        return r;
    }

    /** {@code 127.0.0.1:<port>}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
