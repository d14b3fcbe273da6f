package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.plugin.PluginConfig;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin with a 1 GiB layer installs in a JVM whose whole heap is 64 MiB: nothing is buffered. */
class BigLayerTest {
    private static final long SIZE = 1L << 30;

    @TempDir
    Path temp;

    @Test
    void install_oneGibLayer_withSixtyFourMegabyteHeap() throws Exception {
        Path registry = Files.createDirectories(temp.resolve("registry"));
        Path layerFile = registry.resolve("layer.tmp");
        Digester digester = Digester.sha256();
        try (OutputStream out = digester.wrap(Files.newOutputStream(layerFile));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry e = new TarArchiveEntry("big.bin");
            e.setSize(SIZE);
            e.setMode(0644);
            tar.putArchiveEntry(e);
            byte[] chunk = new byte[1 << 20];
            SplittableRandom random = new SplittableRandom(42);
            for (long written = 0; written < SIZE; written += chunk.length) {
                // New bytes for every MiB, so the layer is not a repetition a codec could shortcut.
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                tar.write(chunk);
            }
            tar.closeArchiveEntry();
        }
        Digest layerDigest = digester.digest();
        long layerSize = Files.size(layerFile);
        Files.move(layerFile, registry.resolve(layerDigest.hex()));

        byte[] config = PluginJson.encodeConfigBlob(PluginConfig.builder().description("big")
                .entrypoint(List.of("/big.bin"))
                .pluginInterface(new dev.berth.plugin.PluginInterface("", "big.sock", null)).build());
        Digest configDigest = Digest.sha256(config);
        Files.write(registry.resolve(configDigest.hex()), config);
        byte[] manifest = OciJson.encodeManifest(Manifest.dockerPlugin(
                Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, configDigest, config.length),
                List.of(Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, layerDigest, layerSize))));
        Digest manifestDigest = Digest.sha256(manifest);
        Files.write(registry.resolve(manifestDigest.hex()), manifest);
        Files.writeString(registry.resolve("manifest"), manifestDigest.toString());

        Path root = temp.resolve("plugins");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                BigLayerInstall.class.getName(), registry.toString(), root.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue()).as(output).isZero();
        String id = output.lines().filter(l -> l.contains("maxHeap=")).findFirst().orElseThrow().split(" ")[0];
        Path installed = root.resolve(id).resolve("rootfs/big.bin");
        assertThat(Files.size(installed)).isEqualTo(SIZE);
        assertThat(Files.size(root.resolve("storage/blobs/sha256/" + layerDigest.hex()))).isEqualTo(layerSize);
    }
}
