package dev.berth.runc;

import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import dev.berth.testkit.runtime.PluginRuntimeContract;
import dev.berth.testkit.runtime.RealRuntime;
import dev.berth.testkit.runtime.TestPluginBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** RuncRuntime meets the PluginRuntime contract with real runc (root only; see RealRuntime). */
class RuncRuntimeContractTest extends PluginRuntimeContract {
    private static Path runc;
    private static Path buildDir;
    private static TestPluginBuilder plugins;

    private Path dir;
    private Path rootfs;
    private RuncRuntime runtime;

    @BeforeAll
    static void buildPlugin() throws IOException {
        runc = RealRuntime.requireRunc();
        buildDir = Files.createTempDirectory("berth-test-plugin");
        plugins = new TestPluginBuilder(buildDir);
    }

    @AfterAll
    static void removeBuild() throws IOException {
        if (buildDir != null) {
            deleteTree(buildDir);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("brc");
        rootfs = plugins.rootfs(dir.resolve("p"));
        Files.createDirectories(dir.resolve("p").resolve("propagated-mount"));
        runtime = RuncRuntime.builder().runc(runc).stateRoot(dir.resolve("s")).bundleRoot(dir.resolve("b")).build();
    }

    @AfterEach
    void tearDown() throws IOException {
        runtime.close();
        deleteTree(dir);
    }

    @Override
    protected PluginRuntime runtime() {
        return runtime;
    }

    @Override
    protected RuntimeSpec runningSpec(String id) {
        try {
            Path exec = Files.createDirectories(dir.resolve("x").resolve(id.substring(0, 8)));
            PluginConfig config = TestPluginBuilder.config();
            return PluginSpecGenerator.generate(config, PluginSettings.initialFor(config).withArgs(List.of("no-socket")),
                    SpecPaths.dockerLayout(rootfs, exec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
