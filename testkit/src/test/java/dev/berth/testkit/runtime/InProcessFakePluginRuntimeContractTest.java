package dev.berth.testkit.runtime;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import java.io.IOException;
import java.nio.file.FileSystem;
import org.junit.jupiter.api.AfterEach;

/** The in-process fake meets the runtime contract, with its paths on Jimfs. */
class InProcessFakePluginRuntimeContractTest extends PluginRuntimeContract {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final FakePluginRuntime runtime = FakePluginRuntime.inProcess(FakePluginServer.activating("VolumeDriver"));

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    @Override
    protected PluginRuntime runtime() {
        return runtime;
    }

    @Override
    protected RuntimeSpec runningSpec(String id) {
        PluginConfig config = TestPluginBuilder.config();
        return PluginSpecGenerator.generate(config, PluginSettings.initialFor(config),
                SpecPaths.dockerLayout(fs.getPath("/plugins", id, "rootfs"), fs.getPath("/run", id)));
    }
}
