package com.example.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.PluginManager;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RunningPlugin;
import dev.berth.testkit.content.InMemoryContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;
import dev.berth.testkit.runtime.FakeDriverPlugin;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginLifecycleTest {
    static final String V1 = "localhost:5000/acme/volume:1.0";
    static final String V2 = "localhost:5000/acme/volume:2.0";

    @Test
    void wholeLife_inMemory_works() throws Exception {
        // Two versions of a volume plugin, published into a registry that lives in memory.
        InMemoryRegistry registry = new InMemoryRegistry();
        TestPlugin.builder().capabilities("CAP_SYS_ADMIN").publish(registry, V1);
        TestPlugin.builder().capabilities("CAP_SYS_ADMIN").file("bin/plugin", "#!/bin/sh\n# v2\n")
                .publish(registry, V2);
        // The fake plugin answers Docker's plugin protocol in process: no socket, no container.
        FakeDriverPlugin driver = new FakeDriverPlugin();

        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
             PluginManager plugins = PluginManager.builder()
                     .root(fs.getPath("/var/lib/plugins"))
                     .execRoot(fs.getPath("/run/plugins"))
                     .contentStore(InMemoryContentStore.create())
                     .registryResolver(registry)
                     .rootfsApplier(new SimpleRootfsApplier())
                     .runtime(FakePluginRuntime.inProcess(driver))
                     .build()) {
            // install: the privileges are asked for and granted, as with docker plugin install
            List<PluginPrivilege> asked = plugins.privileges(V1);
            assertEquals("capabilities", asked.get(0).name());
            Plugin plugin = plugins.install(V1).grant(asked).disabled().run();

            // list and set
            assertEquals(List.of(V1), plugins.list().stream().map(Plugin::name).toList());
            plugins.set(plugin.name(), List.of("DEBUG=1"));
            assertTrue(plugins.inspect(plugin.name()).settings().env().contains("DEBUG=1"));

            // enable: the manager waits for the plugin and activates it
            plugins.enable(plugin.name(), Duration.ofSeconds(5));
            RunningPlugin endpoint = plugins.endpoint(plugin.name());
            assertTrue(endpoint.implementsInterface("VolumeDriver"));
            assertEquals(List.of(plugin.name()), plugins.getAllByCap("volumedriver").stream().map(Plugin::name).toList());

            // call the plugin through its endpoint, as a host calls a real one
            PluginTransport.Response created = endpoint.transport().post("/VolumeDriver.Create",
                    "{\"Name\":\"data\",\"Opts\":{}}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), 1 << 20);
            assertEquals(200, created.status());
            assertEquals(Set.of("data"), driver.volumes());

            // disable, upgrade, remove
            plugins.disable(plugin.name(), false);
            assertFalse(plugins.inspect(plugin.name()).enabled());
            Plugin upgraded = plugins.upgrade(plugin.name()).remote(V2).grant(plugins.privileges(V2)).run();
            assertEquals(plugin.id(), upgraded.id());
            assertEquals(V2, upgraded.pluginReference());
            plugins.remove(plugin.name(), false);
            assertTrue(plugins.list().isEmpty());
        }
    }
}
