package dev.berth.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.RootfsPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Fuzzes layer application, tar, gzip and zstd. Invariant for every input: nothing changes outside the root
 * (the attack catalog's victim oracle, checked after each input) and every refusal is an
 * {@link ArchiveException}; any other exception type is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} JUnit runs each method once per file of its seed corpus in
 * {@code src/test/resources/dev/berth/archive/TarRootfsApplierFuzzTestInputs/<method>/}; the README's
 * "Fuzzing" section has the command for a fuzzing run.
 */
class TarRootfsApplierFuzzTest {
    /** Small caps keep each input cheap; the refusal paths they exercise are the same as the defaults'. */
    private static final RootfsPolicy POLICY = new RootfsPolicy(RootfsPolicy.defaults().ownership(),
            RootfsPolicy.defaults().specialFiles(), RootfsPolicy.defaults().xattrs(),
            RootfsLimits.defaults().withMaxEntries(4096).withMaxUncompressedBytes(16L << 20));

    @FuzzTest(maxDuration = "60s")
    void applyTar(byte[] layer) throws IOException {
        applyConfined(layer, MediaTypes.OCI_LAYER_TAR);
    }

    @FuzzTest(maxDuration = "60s")
    void applyGzip(byte[] layer) throws IOException {
        applyConfined(layer, MediaTypes.OCI_LAYER_GZIP);
    }

    @FuzzTest(maxDuration = "60s")
    void applyZstd(byte[] layer) throws IOException {
        applyConfined(layer, MediaTypes.OCI_LAYER_ZSTD);
    }

    private static void applyConfined(byte[] layer, String mediaType) throws IOException {
        Path tmp = Files.createTempDirectory("berth-fuzz-");
        try (Victim v = new Victim(tmp)) {
            try {
                TarRootfsApplier.create(POLICY).apply(new ByteArrayInputStream(layer), mediaType, v.dest);
            } catch (ArchiveException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } finally {
                v.assertUntouched();
            }
        } finally {
            Trees.delete(tmp);
        }
    }
}
