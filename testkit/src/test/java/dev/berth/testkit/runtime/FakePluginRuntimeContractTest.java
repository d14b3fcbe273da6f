package dev.berth.testkit.runtime;

import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The fake meets the runtime contract too, so tests written against it hold for real runtimes. */
class FakePluginRuntimeContractTest extends PluginRuntimeContract {
    private Path dir;
    private FakePluginRuntime runtime;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("bf");
        runtime = new FakePluginRuntime(TestPluginBuilder.SOCKET, "VolumeDriver");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    protected PluginRuntime runtime() {
        return runtime;
    }

    @Override
    protected RuntimeSpec runningSpec(String id) {
        try {
            Path exec = Files.createDirectories(dir.resolve(id.substring(0, 8)));
            PluginConfig config = TestPluginBuilder.config();
            return PluginSpecGenerator.generate(config, PluginSettings.initialFor(config),
                    SpecPaths.dockerLayout(dir.resolve("rootfs"), exec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
