package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An install killed with SIGKILL halfway through a 100 MiB layer, against the real registry: the next
 * install on the same root asks the registry only for the rest of the layer ({@code Range}, answered
 * 206), as the registry's own access log shows.
 */
class KilledDownloadTest {
    private static final int SIZE = 100 << 20;
    private static final Pattern ACCESS = Pattern.compile("\"GET (/v2/\\S+/blobs/(sha256:[0-9a-f]{64})) HTTP/1.1\" (\\d{3}) (\\d+)");

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
    void install_killedHalfwayThroughALayer_nextInstallFetchesOnlyTheRest() throws Exception {
        String remote = registry.host() + "/kill/big:1";
        Descriptor layer = publish(remote);
        Path root = temp.resolve("plugins");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledDownloadChild.class.getName(), root.toString(), remote)
                .redirectErrorStream(true).start();
        long half;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("HALF ")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("the child never reached half of the layer:%n%s", seen).isNotNull();
            half = Long.parseLong(line.substring(5));
            child.destroyForcibly(); // SIGKILL: no undo, no close, the ingest stays as it is on disk
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(half).isBetween((long) SIZE / 2, (long) SIZE);

        try (PluginManager m = PluginManager.builder().root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create()).build()) {
            Plugin p = m.install(remote).disabled().run();
            assertThat(Files.size(root.resolve(p.id()).resolve("rootfs/big.bin"))).isEqualTo(SIZE);
        }

        List<long[]> gets = registry.log().lines().map(ACCESS::matcher).filter(Matcher::find)
                .filter(mt -> mt.group(2).equals(layer.digest().toString()))
                .map(mt -> new long[] {Long.parseLong(mt.group(3)), Long.parseLong(mt.group(4))}).toList();
        assertThat(gets).as("GETs of the layer in the registry's log").hasSize(2);
        long[] resumed = gets.get(1);
        assertThat(resumed[0]).as("status of the second GET").isEqualTo(206);
        // The child reported HALF from inside a read, before writing that last buffer: at most one
        // buffer more than the rest is sent again.
        assertThat(resumed[1]).as("bytes sent the second time").isLessThanOrEqualTo(layer.size() - half + (1 << 20))
                .isGreaterThan(0);
        System.out.printf("MEASURE resume after kill: layer %d bytes, killed at >= %d, re-sent %d bytes (%.1f%% of the layer)%n",
                layer.size(), half, resumed[1], 100.0 * resumed[1] / layer.size());
    }

    /** Pushes a plugin whose one plain-tar layer holds {@link #SIZE} random bytes; returns the layer. */
    private Descriptor publish(String remote) throws IOException {
        Path layerFile = temp.resolve("layer.tar");
        Digester digester = Digester.sha256();
        try (OutputStream out = digester.wrap(Files.newOutputStream(layerFile));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry("big.bin");
            e.setSize(SIZE);
            e.setMode(0644);
            tar.putArchiveEntry(e);
            byte[] chunk = new byte[1 << 20];
            SplittableRandom random = new SplittableRandom(3);
            for (int written = 0; written < SIZE; written += chunk.length) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) random.nextInt(256);
                }
                tar.write(chunk);
            }
            tar.closeArchiveEntry();
        }
        Descriptor layer = Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, digester.digest(), Files.size(layerFile));
        byte[] config = PluginJson.encodeConfigBlob(PluginConfig.builder().description("big")
                .entrypoint(List.of("/big.bin")).pluginInterface(new PluginInterface("", "big.sock", null)).build());
        Descriptor configDesc = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, dev.berth.oci.Digest.sha256(config),
                config.length);
        byte[] manifest = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, List.of(layer)));
        Pusher pusher = HttpRegistryResolver.builder().build().pusher(Reference.parse(remote));
        pusher.push(layer, BlobSource.of(layerFile));
        pusher.push(configDesc, BlobSource.of(config));
        pusher.push(Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, dev.berth.oci.Digest.sha256(manifest), manifest.length),
                BlobSource.of(manifest));
        return layer;
    }
}
