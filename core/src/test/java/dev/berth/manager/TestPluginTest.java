package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.PluginManager;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.layout.OciLayoutResolver;
import dev.berth.remote.RegistryResolver;
import dev.berth.testkit.content.InMemoryContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** testkit's TestPlugin publishes plugins that the manager installs like any other. */
class TestPluginTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private PluginManager manager(RegistryResolver resolver) {
        return PluginManager.builder().root(fs.getPath("/plugins")).contentStore(InMemoryContentStore.create())
                .registryResolver(resolver).rootfsApplier(new SimpleRootfsApplier()).build();
    }

    private Path rootfs(Plugin p) {
        return fs.getPath("/plugins", p.id(), "rootfs");
    }

    @Nested
    class Publish {
        @Test
        void publish_inMemoryRegistry_installsWithItsPrivilegesConfigAndFiles() throws IOException {
            InMemoryRegistry registry = new InMemoryRegistry();
            TestPlugin.builder().types("docker.networkdriver/1.0").capabilities("CAP_NET_ADMIN").hostNetwork()
                    .config(c -> c.description("a network plugin")).file("etc/conf", "x=1\n")
                    .publish(registry, "localhost:5000/acme/net:1.0");

            try (PluginManager plugins = manager(registry)) {
                List<PluginPrivilege> asked = plugins.privileges("localhost:5000/acme/net:1.0");
                assertThat(asked).extracting(PluginPrivilege::name).containsExactly("network", "capabilities");
                Plugin p = plugins.install("localhost:5000/acme/net:1.0").grant(asked).disabled().run();

                assertThat(p.config().description()).isEqualTo("a network plugin");
                assertThat(p.config().provides("networkdriver")).isTrue();
                assertThat(Files.readString(rootfs(p).resolve("etc/conf"))).isEqualTo("x=1\n");
                assertThat(Files.exists(rootfs(p).resolve("bin/plugin"))).isTrue();
            }
        }

        @Test
        void publish_ociLayoutOnJimfs_installsThroughTheLayoutResolver() throws IOException {
            Path layout = fs.getPath("/layouts/acme");
            TestPlugin.builder().file("bin/plugin", "one").publish(layout, "1.0");
            TestPlugin.builder().file("bin/plugin", "two").publish(layout, "2.0");
            TestPlugin.builder().file("bin/plugin", "one again").publish(layout, "1.0");

            assertThat(Files.readString(layout.resolve("oci-layout"))).contains("1.0.0");
            try (PluginManager plugins = manager(OciLayoutResolver.open(layout))) {
                Plugin one = plugins.install("acme/volume:1.0").grantAllPrivileges().disabled().run();
                Plugin two = plugins.install("acme/volume:2.0").alias("acme/other:2.0").grantAllPrivileges().disabled().run();

                assertThat(Files.readString(rootfs(one).resolve("bin/plugin"))).isEqualTo("one again");
                assertThat(Files.readString(rootfs(two).resolve("bin/plugin"))).isEqualTo("two");
            }
        }

        @Test
        void publish_severalPlatforms_installPicksTheRegistrysPlatform() throws IOException {
            InMemoryRegistry arm = new InMemoryRegistry(Platform.of("linux", "arm64"));
            TestPlugin.builder().platforms(Platform.of("linux", "amd64"), Platform.of("linux", "arm64"))
                    .publish(arm, "localhost:5000/acme/multi:1.0");

            try (PluginManager plugins = manager(arm)) {
                Plugin p = plugins.install("localhost:5000/acme/multi:1.0").grantAllPrivileges().disabled().run();

                assertThat(Files.readString(rootfs(p).resolve(TestPlugin.PLATFORM_FILE))).isEqualTo("linux/arm64\n");
            }
        }
    }
}
