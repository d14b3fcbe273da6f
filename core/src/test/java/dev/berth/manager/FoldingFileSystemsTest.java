package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.registry.layout.OciArchive;
import dev.berth.registry.layout.OciArchiveWriter;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.runtime.FakeDriverPlugin;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Everything but a real enable on the file systems IDE users have: a root on macOS's or Windows's
 * case-folding defaults (Jimfs models both) with the real store, applier and splitter. Create, install,
 * inspect, set, push, save and load, upgrade, remove and gc work there; a plugin's files land under its own rootfs.
 */
class FoldingFileSystemsTest {
    enum Kind {
        MACOS(Configuration.osX().toBuilder().setAttributeViews("basic", "owner", "posix").build()),
        WINDOWS(Configuration.windows().toBuilder().setAttributeViews("basic", "owner", "dos").build());

        final Configuration configuration;

        Kind(Configuration configuration) {
            this.configuration = configuration;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void wholeLifeButEnable_works(Kind kind) throws IOException {
        String v1 = "localhost:5000/acme/volume:1.0";
        String v2 = "localhost:5000/acme/volume:2.0";
        InMemoryRegistry registry = new InMemoryRegistry();
        TestPlugin.builder().file("bin/plugin", "v1").publish(registry, v1);
        TestPlugin.builder().file("bin/plugin", "v2").publish(registry, v2);
        try (FileSystem fs = Jimfs.newFileSystem(kind.configuration)) {
            Path top = fs.getRootDirectories().iterator().next();
            Path root = top.resolve("Users").resolve("dev").resolve("berth");
            try (PluginManager plugins = PluginManager.builder().root(root).execRoot(top.resolve("run"))
                    .contentStore(FileContentStore.open(root.resolve("content")))
                    .registryResolver(registry).rootfsApplier(TarRootfsApplier.create())
                    .contextSplitter(TarContextSplitter.create())
                    .runtime(FakePluginRuntime.inProcess(new FakeDriverPlugin())).build()) {
                plugins.install(v1).grant(plugins.privileges(v1)).disabled().run();
                Plugin installed = plugins.inspect(v1);
                assertThat(Files.readString(rootfs(root, installed).resolve("bin").resolve("plugin"))).isEqualTo("v1");

                plugins.set(v1, List.of("DEBUG=1"));
                assertThat(plugins.inspect(v1).settings().env()).contains("DEBUG=1");

                Plugin created = plugins.create("localhost:5000/acme/made:1.0",
                        new ByteArrayInputStream(Contexts.simple()));
                PushedPlugin pushed = plugins.push(created.name());
                assertThat(registry.tag(Reference.parse("localhost:5000/acme/made:1.0"))).contains(pushed.digest());
                assertThat(pushed.digest()).isNotNull();

                plugins.upgrade(v1).remote(v2).grant(plugins.privileges(v2)).run();
                assertThat(Files.readString(rootfs(root, plugins.inspect(v1)).resolve("bin").resolve("plugin")))
                        .isEqualTo("v2");

                Path archive = top.resolve("Users").resolve("dev").resolve("Saved Plugins.tar");
                try (OutputStream out = Files.newOutputStream(archive)) {
                    OciArchiveWriter w = OciArchiveWriter.to(out);
                    plugins.export(List.of(created.name()), w);
                    w.finish();
                }
                plugins.remove(created.name(), false);
                try (OciArchive saved = OciArchive.open(archive)) {
                    plugins.install(created.name()).from(saved).grantAllPrivileges().disabled().run();
                }
                assertThat(plugins.inspect(created.name()).config()).isEqualTo(created.config());

                plugins.remove(v1, false);
                plugins.remove(created.name(), false);
                plugins.gc();
                assertThat(plugins.list()).isEmpty();
            }
            try (Stream<Path> blobs = Files.walk(root.resolve("content"))) {
                assertThat(blobs.filter(Files::isRegularFile).filter(p -> p.toString().contains("sha256")))
                        .as("gc left no blob behind").isEmpty();
            }
        }
    }

    private static Path rootfs(Path root, Plugin p) {
        return root.resolve(p.id()).resolve("rootfs");
    }
}
