package dev.berth.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.SplitContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Fuzzes {@code plugin create}'s input: a context tar split into a config and a rootfs layer. Invariant for
 * every input: the split refuses with an {@link ArchiveException}, or it describes exactly the layer it
 * wrote (digest, size, diff ID and uncompressed size of the bytes in the sink) and that layer applies with
 * {@link TarRootfsApplier} without touching anything outside its root (the victim oracle). Any other
 * exception type is a finding.
 *
 * <p>Seeds: {@code src/test/resources/dev/berth/archive/TarContextSplitterFuzzTestInputs/split/}; the
 * README's "Fuzzing" section has the command for a fuzzing run.
 */
class TarContextSplitterFuzzTest {
    /** Small caps keep each input cheap; the refusal paths they exercise are the same as the defaults'. */
    private static final RootfsLimits LIMITS = RootfsLimits.defaults().withMaxEntries(4096)
            .withMaxUncompressedBytes(16L << 20);

    @FuzzTest(maxDuration = "60s")
    void split(byte[] context) throws IOException {
        Path tmp = Files.createTempDirectory("berth-fuzz-");
        try (Victim v = new Victim(tmp)) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            SplitContext split;
            try {
                split = TarContextSplitter.create(LIMITS).split(new ByteArrayInputStream(context), sink);
            } catch (ArchiveException refused) {
                assertThat(refused.getMessage()).isNotBlank();
                return;
            }
            byte[] layer = sink.toByteArray();
            assertThat(split.layer().size()).isEqualTo(layer.length);
            assertThat(split.layer().digest()).isEqualTo(Digest.sha256(layer));
            Digester diff = Digester.sha256();
            try (InputStream in = diff.wrap(uncompressed(layer, split.layer().mediaType()))) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            assertThat(split.layer().diffId()).isEqualTo(diff.digest());
            assertThat(split.layer().uncompressedSize()).isEqualTo(diff.count());
            try {
                TarRootfsApplier.create().apply(new ByteArrayInputStream(layer), split.layer().mediaType(), v.dest);
            } finally {
                v.assertUntouched();
            }
        } finally {
            Trees.delete(tmp);
        }
    }

    private static InputStream uncompressed(byte[] layer, String mediaType) throws IOException {
        InputStream in = new ByteArrayInputStream(layer);
        return switch (MediaTypes.layerCompression(mediaType)) {
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            case ZSTD -> new ZstdCompressorInputStream(in);
            case NONE -> in;
            case UNKNOWN -> throw new AssertionError("the split wrote an undeclared media type: " + mediaType);
        };
    }
}
