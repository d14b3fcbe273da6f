package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.MediaTypes.Compression;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.SplitContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The layer compressions a splitter writes: each applies back to the context's rootfs with one diff ID. */
class TarContextSplitterCompressionTest {
    @TempDir
    Path tmp;

    private static final byte[] BIG = random(1_500_000);

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            b[i] = i % 3 == 0 ? (byte) 'a' : (byte) r.nextInt();
        }
        return b;
    }

    private static byte[] context() {
        return tar().file("config.json", TarContextSplitterTest.CONFIG_JSON).dir("rootfs").dir("rootfs/bin")
                .file("rootfs/bin/entry", "#!/bin/sh\n").file("rootfs/big", BIG, 0600).bytes();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD", "NONE"})
    void split_eachCompression_typedLayerThatAppliesWithTheSameDiffId(Compression compression) throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        SplitContext split = TarContextSplitter.create().withCompression(compression)
                .split(new ByteArrayInputStream(context()), sink);
        byte[] blob = sink.toByteArray();

        String expectedType = switch (compression) {
            case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
            default -> MediaTypes.DOCKER_LAYER_TAR;
        };
        assertThat(split.layer().mediaType()).isEqualTo(expectedType);
        assertThat(split.layer().digest()).isEqualTo(Digest.sha256(blob));
        assertThat(split.layer().size()).isEqualTo(blob.length);
        Path dest = Files.createDirectory(tmp.resolve("rootfs"));
        AppliedLayer applied = TarRootfsApplier.create().apply(new ByteArrayInputStream(blob), expectedType, dest);
        assertThat(applied.diffId()).isEqualTo(split.layer().diffId());
        assertThat(applied.size()).isEqualTo(split.layer().uncompressedSize());
        assertThat(Files.readAllBytes(dest.resolve("big"))).isEqualTo(BIG);
        // The tar is the same whatever compresses it.
        SplitContext gzip = TarContextSplitter.create().split(new ByteArrayInputStream(context()),
                new ByteArrayOutputStream());
        assertThat(split.layer().diffId()).isEqualTo(gzip.layer().diffId());
        if (compression == Compression.NONE) {
            assertThat(split.layer().digest()).isEqualTo(split.layer().diffId());
        } else {
            assertThat(blob.length).isLessThan((int) split.layer().uncompressedSize());
        }
    }

    @Test
    void split_zstdTwice_sameBytes() {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TarContextSplitter zstd = TarContextSplitter.create().withCompression(Compression.ZSTD);
        zstd.split(new ByteArrayInputStream(context()), a);
        zstd.split(new ByteArrayInputStream(context()), b);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(a.toByteArray()).startsWith(0x28, 0xb5, 0x2f, 0xfd);
    }

    @Test
    void withCompression_unknown_refused() {
        assertThatThrownBy(() -> TarContextSplitter.create().withCompression(Compression.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TarContextSplitter.create().compression()).isEqualTo(Compression.GZIP);
    }
}
