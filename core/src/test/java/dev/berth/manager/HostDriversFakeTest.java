package dev.berth.manager;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.PluginManager;
import dev.berth.client.PluginClient;
import dev.berth.testkit.content.InMemoryContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;
import dev.berth.testkit.runtime.FakeDriverPlugin;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The host driver clients against the in-process fake plugin, enabled by a manager on Jimfs. */
class HostDriversFakeTest extends HostDriversContract {
    static final String NAME = "localhost:5000/acme/drivers:1.0";
    private FileSystem fs;
    private PluginManager plugins;

    @BeforeEach
    void setUp() {
        InMemoryRegistry registry = new InMemoryRegistry();
        TestPlugin.builder().types("docker.volumedriver/1.0", "docker.networkdriver/1.0", "docker.ipamdriver/1.0",
                "docker.authz/1.0", "docker.logdriver/1.0").publish(registry, NAME);
        fs = Jimfs.newFileSystem(Configuration.unix());
        plugins = PluginManager.builder().root(fs.getPath("/plugins")).execRoot(fs.getPath("/run"))
                .contentStore(InMemoryContentStore.create()).registryResolver(registry)
                .rootfsApplier(new SimpleRootfsApplier()).runtime(FakePluginRuntime.inProcess(new FakeDriverPlugin()))
                .build();
        plugins.install(NAME).grantAllPrivileges().enableTimeout(Duration.ofSeconds(5)).run();
    }

    @AfterEach
    void tearDown() throws IOException {
        plugins.close();
        fs.close();
    }

    @Override
    PluginClient client() {
        return PluginClient.of(plugins.endpoint(NAME));
    }

    @Override
    List<String> implemented() {
        return plugins.endpoint(NAME).implemented();
    }
}
