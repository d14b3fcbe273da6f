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
import java.nio.file.FileSystem;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole plugin life on Jimfs with the in-memory fakes, as a program: {@link HostPluginsTest} runs it
 * in a JVM of its own with empty temp and working directories and checks that they stay empty.
 */
final class InMemoryLife {
    private InMemoryLife() {
    }

    public static void main(String[] args) throws Exception {
        String v1 = "localhost:5000/acme/volume:1.0";
        String v2 = "localhost:5000/acme/volume:2.0";
        InMemoryRegistry registry = new InMemoryRegistry();
        TestPlugin.builder().capabilities("CAP_SYS_ADMIN").publish(registry, v1);
        TestPlugin.builder().capabilities("CAP_SYS_ADMIN").file("bin/plugin", "v2").publish(registry, v2);
        FakeDriverPlugin driver = new FakeDriverPlugin();
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
             PluginManager plugins = PluginManager.builder().root(fs.getPath("/plugins")).execRoot(fs.getPath("/run"))
                     .contentStore(InMemoryContentStore.create()).registryResolver(registry)
                     .rootfsApplier(new SimpleRootfsApplier()).runtime(FakePluginRuntime.inProcess(driver)).build()) {
            plugins.install(v1).grant(plugins.privileges(v1)).disabled().run();
            System.out.println("list " + plugins.list().size());
            plugins.set(v1, List.of("DEBUG=1"));
            plugins.enable(v1, Duration.ofSeconds(5));
            PluginClient.of(plugins.endpoint(v1)).volumeDriver().create("v", Map.of());
            plugins.disable(v1, false);
            plugins.upgrade(v1).remote(v2).grant(plugins.privileges(v2)).run();
            plugins.enable(v1, Duration.ofSeconds(5));
            plugins.disable(v1, false);
            plugins.remove(v1, false);
            plugins.gc();
            System.out.println("volumes " + driver.volumes().stream().sorted().toList());
        }
    }
}
