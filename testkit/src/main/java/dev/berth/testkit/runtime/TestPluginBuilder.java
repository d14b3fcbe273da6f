package dev.berth.testkit.runtime;

import dev.berth.plugin.Capability;
import dev.berth.plugin.PluginArgs;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginInterface;
import dev.berth.plugin.PluginNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Builds the small real plugin the runc tests run: a static C program (the testkit's
 * {@code test-plugin.c}: a VolumeDriver, NetworkDriver, IpamDriver, authz and LogDriver plugin keeping
 * its state in memory, answering as {@link FakeDriverPlugin} does) compiled with {@code gcc -static},
 * in a rootfs with {@code busybox-static}. The program's mode (serve, ignore-term, no-socket, crash,
 * wrong-activate) is its second argument, so tests choose it through the plugin's settings args.
 *
 * <p>Needs {@code gcc} with a static libc ({@code libc6-dev}) and {@code /bin/busybox}; see
 * {@link RealRuntime}. One builder compiles once and lays out any number of rootfs directories.
 * Not thread-safe.
 */
public final class TestPluginBuilder {
    /** The socket file name of the test plugin. */
    public static final String SOCKET = "plugin.sock";
    /** Where busybox-static lives on Debian. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private final Path workDir;
    private Path binary;

    /** @param workDir a directory for the compiled program */
    public TestPluginBuilder(Path workDir) {
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /** The test plugin's config: a {@code docker.volumedriver/1.0} on {@link #SOCKET}, propagated mount {@code /data}. */
    public static PluginConfig config() {
        return PluginConfig.builder()
                .description("Berth test plugin")
                .entrypoint(List.of("/bin/test-plugin", "/run/docker/plugins/" + SOCKET))
                .workDir("/")
                .pluginInterface(new PluginInterface("", SOCKET, List.of(Capability.parse("docker.volumedriver/1.0"))))
                .network(new PluginNetwork(""))
                .propagatedMount("/data")
                .env(List.of(new PluginEnv("debug level", "DEBUG", List.of("value"), "0")))
                .args(new PluginArgs("the mode", "mode", List.of("value"), List.of()))
                .build();
    }

    /**
     * The test plugin's config declaring every API it answers: {@code docker.volumedriver/1.0},
     * {@code docker.networkdriver/1.0}, {@code docker.ipamdriver/1.0}, {@code docker.authz/1.0} and
     * {@code docker.logdriver/1.0} (its {@code /Plugin.Activate} names all five).
     */
    public static PluginConfig driversConfig() {
        PluginConfig c = config();
        return c.toBuilder().pluginInterface(new PluginInterface("", SOCKET, List.of(
                Capability.parse("docker.volumedriver/1.0"), Capability.parse("docker.networkdriver/1.0"),
                Capability.parse("docker.ipamdriver/1.0"), Capability.parse("docker.authz/1.0"),
                Capability.parse("docker.logdriver/1.0")))).build();
    }

    /**
     * Lays out {@code <pluginDir>/rootfs} with the test program and busybox.
     *
     * @return the rootfs directory
     * @throws UncheckedIOException if the build fails (the compiler's output is in the message)
     */
    public Path rootfs(Path pluginDir) {
        try {
            Path rootfs = pluginDir.resolve("rootfs");
            Path bin = rootfs.resolve("bin");
            Files.createDirectories(bin);
            Files.createDirectories(rootfs.resolve("etc"));
            Files.copy(binary(), bin.resolve("test-plugin"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            if (!Files.exists(bin.resolve("sh"), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
            }
            return rootfs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out the test plugin rootfs in " + pluginDir, e);
        }
    }

    /** The compiled program (compiled on first use). */
    public Path binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        Files.createDirectories(workDir);
        Path source = workDir.resolve("test-plugin.c");
        try (InputStream in = TestPluginBuilder.class.getResourceAsStream("test-plugin.c")) {
            if (in == null) {
                throw new IOException("test-plugin.c is missing from the testkit's resources");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = workDir.resolve("test-plugin");
        Path log = workDir.resolve("gcc.log");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        gcc.getOutputStream().close();
        byte[] output = gcc.getInputStream().readAllBytes();
        try {
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                gcc.destroyForcibly();
                Files.write(log, output);
                throw new IOException("gcc -static failed (is libc6-dev installed?): "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gcc.destroyForcibly();
            throw new IOException("interrupted while compiling the test plugin", e);
        }
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        binary = out;
        return out;
    }
}
