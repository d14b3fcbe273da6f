package dev.berth.testkit.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The distribution registry ({@code docker-registry}, Debian's package of distribution 2.8) started for
 * a test on 127.0.0.1 with a generated config: plain, htpasswd Basic auth, or token auth against a
 * {@link TokenServer}. Storage, config and log live in the directory given. {@link #close()} stops the
 * process this object started (by its handle) and nothing else.
 *
 * <p>Call {@link #require()} first: it skips the test when the registry is not installed, or fails it
 * when {@code CI=true}.
 */
public final class RealRegistry implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private volatile Process process;
    private final int port;
    private final Path dir;
    private final boolean tls;

    private RealRegistry(Process process, int port, Path dir, boolean tls) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.tls = tls;
    }

    /** The registry binary, or skip/fail as described in {@link Tools#require}. */
    public static Path require() {
        return Tools.require("docker-registry", "docker-registry");
    }

    /** An anonymous registry. */
    public static RealRegistry plain(Path dir) throws IOException {
        return start(dir, "");
    }

    /** A registry that wants Basic auth for {@code user}/{@code password} (bcrypt htpasswd via the {@code htpasswd} CLI). */
    public static RealRegistry htpasswd(Path dir, String user, String password) throws IOException {
        Tools.require("htpasswd", "apache2-utils");
        Files.createDirectories(dir);
        Path file = dir.resolve("htpasswd");
        byte[] line = Tools.run(List.of("htpasswd", "-Bbn", user, password), new byte[0]);
        Files.write(file, line);
        return start(dir, "auth:\n  htpasswd:\n    realm: berth-test-realm\n    path: " + file.toAbsolutePath() + "\n");
    }

    /** A registry that wants Bearer tokens from {@code tokens}. */
    public static RealRegistry token(Path dir, TokenServer tokens) throws IOException {
        return start(dir, "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: "
                + tokens.certificate().toAbsolutePath() + "\n");
    }

    /**
     * An anonymous registry that speaks only TLS, with a self-signed certificate for 127.0.0.1 made by
     * the {@code openssl} CLI ({@link #certificate()}).
     */
    public static RealRegistry tls(Path dir) throws IOException {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        return start(dir, "", "  tls:\n    certificate: " + tls.certificate().toAbsolutePath() + "\n    key: "
                + tls.key().toAbsolutePath() + "\n");
    }

    /** The certificate of a {@link #tls} registry. */
    public Path certificate() {
        return dir.resolve("tls.crt");
    }

    private static RealRegistry start(Path dir, String auth) throws IOException {
        return start(dir, auth, "");
    }

    private static RealRegistry start(Path dir, String auth, String httpExtra) throws IOException {
        Path bin = require();
        Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir.resolve("storage"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(config, "version: 0.1\n"
                    + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("storage").toAbsolutePath() + "\n"
                    + "  delete:\n    enabled: true\n  cache:\n    blobdescriptor: inmemory\n"
                    + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: berth-test-secret\n"
                    + "  headers:\n    X-Content-Type-Options: [nosniff]\n"
                    + httpExtra
                    + auth);
            Process p = launch(bin, dir);
            RealRegistry r = new RealRegistry(p, port, dir, !httpExtra.isEmpty());
            try {
                r.awaitReady();
                return r;
            } catch (IOException e) {
                r.close();
                last = e;
            }
        }
        throw last;
    }

    private static Process launch(Path bin, Path dir) throws IOException {
        // appends, so a restart keeps the log of the run before it
        return new ProcessBuilder(bin.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile())).start();
    }

    /**
     * Stops the registry process and starts a new one on the same port, config and storage (uploads in
     * progress survive: their state lives in storage and in the {@code Location} the client holds, signed
     * with the config's fixed secret), and waits until it answers. For tests of a registry restarted
     * mid-push.
     *
     * @throws IOException when the new process does not come up
     */
    public synchronized void restart() throws IOException {
        stopProcess();
        process = launch(require(), dir);
        awaitReady();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited: " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                if (tls) {
                    return; // listening is enough: a plain request would only get a TLS error
                }
                s.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                if (status.endsWith("200") || status.endsWith("401")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for docker-registry");
            }
        }
        throw new IOException("docker-registry did not answer on 127.0.0.1:" + port + " within " + STARTUP.toSeconds()
                + " s: " + log());
    }

    /** {@code 127.0.0.1:port}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:port}. */
    public URI uri() {
        return URI.create((tls ? "https://" : "http://") + host());
    }

    /** The registry's log so far (access log included). */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "<no log: " + e.getMessage() + ">";
        }
    }

    @Override
    public void close() {
        stopProcess();
    }

    private void stopProcess() {
        Process process = this.process;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
