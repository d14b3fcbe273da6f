package dev.berth.manager;

import dev.berth.client.PluginClient;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runc.RuncRuntime;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.RunningPlugin;
import dev.berth.testkit.runtime.RealRuntime;
import dev.berth.testkit.runtime.TestPluginBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The host driver clients against the real C test plugin, run by runc and activated by the supervisor
 * as the manager does. Needs root, runc, gcc and busybox-static (skips loudly without, fails on CI).
 */
class HostDriversRuncTest extends HostDriversContract {
    private static Path runc;
    private static Path buildDir;
    private static TestPluginBuilder builder;

    private Path dir;
    private String id;
    private RuncRuntime runtime;
    private PluginSupervisor supervisor;
    private RunningPlugin running;

    @BeforeAll
    static void buildPlugin() throws IOException {
        runc = RealRuntime.requireRunc();
        buildDir = Files.createTempDirectory("berth-drivers-plugin");
        builder = new TestPluginBuilder(buildDir);
        builder.binary();
    }

    @AfterAll
    static void removeBuild() throws IOException {
        if (buildDir != null) {
            deleteTree(buildDir);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        // short: <exec-root>/<id>/plugin.sock must stay within 106 bytes
        dir = Files.createTempDirectory("bd");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        id = HexFormat.of().formatHex(random);
        Path rootfs = builder.rootfs(dir.resolve("p").resolve(id));
        runtime = RuncRuntime.builder().runc(runc).stateRoot(dir.resolve("state")).bundleRoot(dir.resolve("b")).build();
        supervisor = PluginSupervisor.builder().runtime(runtime).execRoot(dir.resolve("x"))
                .socketTimeout(Duration.ofSeconds(5)).stopTimeout(Duration.ofSeconds(5)).activate(true).build();
        PluginConfig config = TestPluginBuilder.driversConfig();
        running = supervisor.enable(new PluginLaunch(id, "test/drivers:latest", config,
                PluginSettings.initialFor(config), rootfs));
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            supervisor.disableAll();
            supervisor.close();
            runtime.delete(id);
        } finally {
            runtime.close();
            deleteTree(dir);
        }
    }

    @Override
    PluginClient client() {
        return PluginClient.builder().endpoint(running).timeout(Duration.ofSeconds(5)).build();
    }

    @Override
    List<String> implemented() {
        return running.implemented();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
