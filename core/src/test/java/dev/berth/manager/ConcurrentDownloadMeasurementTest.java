package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginInterface;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Pusher;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.RealRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs a plugin of three 40 MiB layers from the real loopback registry with one and with three
 * concurrent downloads and prints the best of three of each. Timings are printed, not asserted (the
 * house rule); the test asserts only that both installs are whole.
 */
class ConcurrentDownloadMeasurementTest {
    private static final int LAYER = 40 << 20;

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

    @Test
    void install_threeFortyMebibyteLayers_oneVersusThreeConcurrentDownloads() throws IOException {
        String remote = registry.host() + "/measure/three:1";
        publish(remote);
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        int[] concurrency = {1, 3};
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 2; i++) {
                Path root = temp.resolve("plugins-" + round + "-" + i);
                int c = concurrency[i];
                long start = System.nanoTime();
                try (PluginManager m = PluginManager.builder().root(root)
                        .contentStore(FileContentStore.open(root.resolve("storage")))
                        .registryResolver(HttpRegistryResolver.builder().build())
                        .rootfsApplier(TarRootfsApplier.create())
                        .maxConcurrentDownloads(c).build()) {
                    Plugin p = m.install(remote).disabled().run();
                    best[i] = Math.min(best[i], System.nanoTime() - start);
                    for (int l = 0; l < 3; l++) {
                        assertThat(Files.size(root.resolve(p.id()).resolve("rootfs/l" + l + ".bin"))).isEqualTo(LAYER);
                    }
                }
                deleteTree(root);
            }
        }
        System.out.printf("MEASURE 3x40MiB install from the loopback registry, best of 3: 1 download at a time %.2f s,"
                + " 3 at a time %.2f s (%.2fx)%n", best[0] / 1e9, best[1] / 1e9, (double) best[0] / best[1]);
    }

    private void publish(String remote) throws IOException {
        Pusher pusher = HttpRegistryResolver.builder().build().pusher(Reference.parse(remote));
        List<Descriptor> layers = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        for (int l = 0; l < 3; l++) {
            Path file = temp.resolve("layer" + l + ".tar");
            Digester digester = Digester.sha256();
            try (OutputStream out = digester.wrap(Files.newOutputStream(file));
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                TarArchiveEntry e = new TarArchiveEntry("l" + l + ".bin");
                e.setSize(LAYER);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                byte[] chunk = new byte[1 << 20];
                for (int written = 0; written < LAYER; written += chunk.length) {
                    random.nextBytes(chunk);
                    tar.write(chunk);
                }
                tar.closeArchiveEntry();
            }
            Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, digester.digest(), Files.size(file));
            pusher.push(d, BlobSource.of(file));
            layers.add(d);
        }
        byte[] config = PluginJson.encodeConfigBlob(PluginConfig.builder().description("three")
                .entrypoint(List.of("/l0.bin")).pluginInterface(new PluginInterface("", "three.sock", null)).build());
        Descriptor configDesc = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.sha256(config), config.length);
        pusher.push(configDesc, BlobSource.of(config));
        byte[] manifest = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, layers));
        pusher.push(Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(manifest), manifest.length),
                BlobSource.of(manifest));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
