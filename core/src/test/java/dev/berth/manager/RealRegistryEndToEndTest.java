package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.GcResult;
import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.RealRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole lifecycle on the real parts: FileContentStore, TarRootfsApplier and HttpRegistryResolver
 * against the distribution registry started on 127.0.0.1 (skips loudly without it, fails under CI).
 */
class RealRegistryEndToEndTest {
    @TempDir
    Path temp;
    RealRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = RealRegistry.plain(temp.resolve("registry"));
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private PluginManager open(Path root) throws IOException {
        return PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create())
                .build();
    }

    @Test
    void createPushRemoveInstallInspectSetUpgradeGc() throws IOException {
        String repo = registry.host() + "/e2e/vol";
        String env = "\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"}]";
        Path root = temp.resolve("plugins");
        try (PluginManager m = open(root)) {
            Plugin made = m.create(repo + ":1", new ByteArrayInputStream(
                    Contexts.tar(Contexts.config("p.sock", env), Map.of("v", "1", "bin/plugin", "x"))));
            PushedPlugin pushed1 = m.push(made.name());
            m.create(repo + ":2", new ByteArrayInputStream(
                    Contexts.tar(Contexts.config("p.sock", env), Map.of("v", "2", "bin/plugin", "x"))));
            m.push(repo + ":2");
            m.remove(repo + ":1", false);
            m.remove(repo + ":2", false);
            assertThat(m.list()).isEmpty();

            Plugin installed = m.install(repo + ":1").alias("vol").disabled().run();
            assertThat(installed.pluginReference()).isEqualTo(repo + ":1");
            assertThat(m.inspect("vol").config()).isEqualTo(made.config());
            PluginRecord record = PluginJson.decodeRecord(Files.readAllBytes(root.resolve(installed.id()).resolve("config.json")));
            assertThat(record.manifest()).contains(pushed1.digest());

            m.set("vol", List.of("DEBUG=1"));
            Plugin upgraded = m.upgrade("vol").remote(repo + ":2").run();
            assertThat(upgraded.id()).isEqualTo(installed.id());
            assertThat(upgraded.settings().env()).containsExactly("DEBUG=1");
            assertThat(Files.readString(root.resolve(installed.id()).resolve("rootfs/v"))).isEqualTo("2");

            GcResult gc = m.gc();
            // The version-1 blobs nothing uses any more go; everything of the installed version stays.
            PluginRecord now = PluginJson.decodeRecord(Files.readAllBytes(root.resolve(installed.id()).resolve("config.json")));
            assertThat(gc.removed()).isNotEmpty().doesNotContainAnyElementsOf(now.blobsumsOrEmpty())
                    .doesNotContain(now.manifest().orElseThrow(), now.config().orElseThrow());
            for (var d : now.blobsumsOrEmpty()) {
                assertThat(root.resolve("storage/blobs/sha256/" + d.hex())).exists();
            }
        }
    }

    @Test
    void push_ofAPluginInstalledFromAnotherRepository_mountsItsBlobsInsteadOfUploading() throws IOException {
        String origin = registry.host() + "/e2e/origin:1";
        String copy = registry.host() + "/e2e/copy:1";
        Path root = temp.resolve("plugins");
        try (PluginManager m = open(root)) {
            m.create(origin, new ByteArrayInputStream(Contexts.simple()));
            m.push(origin);
            m.remove(origin, false);
            m.install(origin).alias(copy).disabled().run();
            m.push(copy);
        }
        String log = registry.log();
        // Both blobs, config and layer, are linked from the origin; none is uploaded again.
        assertThat(log.lines().filter(l -> l.contains("POST /v2/e2e/copy/blobs/uploads/?mount=sha256:")
                && l.contains("from=e2e%2Forigin")).count()).isEqualTo(2);
        assertThat(log).doesNotContain("PUT /v2/e2e/copy/blobs/uploads/");
    }

    @Test
    void push_ofALayerCorruptedInTheStore_failsWithDigestMismatch_andTagsNothing() throws IOException {
        String name = registry.host() + "/e2e/bad:1";
        Path root = temp.resolve("plugins");
        try (PluginManager m = open(root)) {
            Plugin made = m.create(name, new ByteArrayInputStream(Contexts.simple()));
            PluginRecord record = PluginJson.decodeRecord(Files.readAllBytes(root.resolve(made.id()).resolve("config.json")));
            Path layer = root.resolve("storage/blobs/sha256/" + record.blobsumsOrEmpty().get(0).hex());
            byte[] bytes = Files.readAllBytes(layer);
            bytes[bytes.length / 2] ^= 1; // same size, other bytes: only a hash can tell
            layer.toFile().setWritable(true);
            Files.write(layer, bytes);

            // the store no longer hashes what push reads: the pusher's own check must catch it
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.push(name))
                    .isInstanceOf(dev.berth.exception.DigestMismatchException.class);
        }
        assertThat(registry.log()).doesNotContain("PUT /v2/e2e/bad/manifests/");
    }
}
