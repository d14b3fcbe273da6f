package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static dev.berth.rootfs.ArchiveException.Kind.BREAKOUT;
import static dev.berth.rootfs.ArchiveException.Kind.CONFIG;
import static dev.berth.rootfs.ArchiveException.Kind.LIMIT;
import static dev.berth.rootfs.ArchiveException.Kind.MALFORMED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.berth.exception.PluginException;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.SplitContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attack catalog's CTX cases. The split writes no files; its layer is then applied with
 * {@link TarRootfsApplier} under the victim oracle, so the create path as a whole is covered.
 */
class TarContextSplitterTest {
    static final String CONFIG_JSON = "{\"Description\":\"test\",\"Entrypoint\":[\"/bin/entry\"]}";

    @TempDir
    Path tmp;
    Victim v;

    @BeforeEach
    void victim() {
        v = new Victim(tmp);
    }

    @AfterEach
    void cleanUp() throws IOException {
        v.close();
    }

    record Outcome(Optional<SplitContext> split, Optional<ArchiveException> error, byte[] layer) {
    }

    /** Splits, applies the layer if there is one, and checks the victims whatever happened. */
    Outcome attempt(byte[] context) {
        return attempt(context, RootfsLimits.defaults());
    }

    Outcome attempt(byte[] context, RootfsLimits limits) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            SplitContext split = TarContextSplitter.create(limits).split(new ByteArrayInputStream(context), sink);
            TarRootfsApplier.create().apply(new ByteArrayInputStream(sink.toByteArray()), split.layer().mediaType(),
                    v.dest);
            return new Outcome(Optional.of(split), Optional.empty(), sink.toByteArray());
        } catch (ArchiveException e) {
            return new Outcome(Optional.empty(), Optional.of(e), sink.toByteArray());
        } finally {
            v.assertUntouched();
        }
    }

    static void assertKind(Outcome outcome, ArchiveException.Kind kind) {
        assertThat(outcome.error()).as("expected a %s refusal", kind).isPresent();
        assertThat(outcome.error().get().kind()).as(outcome.error().get().getMessage()).isEqualTo(kind);
        assertThat(outcome.error().get().category()).isEqualTo(PluginException.Category.INVALID_PARAMETER);
    }

    static TarBuilder context() {
        return tar().file("config.json", CONFIG_JSON).dir("rootfs").dir("rootfs/bin").file("rootfs/bin/entry", "#!/bin/sh\n");
    }

    static List<String> layerNames(byte[] layer) throws IOException {
        List<String> names = new java.util.ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(layer)))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName() + (e.isSymbolicLink() || e.isLink() ? " -> " + e.getLinkName() : ""));
            }
        }
        return names;
    }

    @Nested
    class Split {
        @Test
        void split_ordinaryContext_configBytesAndRerootedLayer() throws IOException {
            Outcome o = attempt(context().symlink("rootfs/bin/sh", "entry").hardlink("rootfs/bin/again", "rootfs/bin/entry")
                    .bytes());
            SplitContext split = o.split().orElseThrow();
            assertThat(new String(split.config(), StandardCharsets.UTF_8)).isEqualTo(CONFIG_JSON);
            assertThat(layerNames(o.layer())).containsExactly("bin/", "bin/entry", "bin/sh -> entry",
                    "bin/again -> bin/entry");
            assertThat(split.layer().digest()).isEqualTo(Digest.sha256(o.layer()));
            assertThat(split.layer().size()).isEqualTo(o.layer().length);
            assertThat(split.layer().mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
            assertThat(Files.readString(v.dest.resolve("bin/entry"))).isEqualTo("#!/bin/sh\n");
            assertThat(Files.isSameFile(v.dest.resolve("bin/again"), v.dest.resolve("bin/entry"))).isTrue();
        }

        @Test
        void split_diffId_matchesWhatTheApplierComputes() {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            SplitContext split = TarContextSplitter.create().split(new ByteArrayInputStream(context().bytes()), sink);
            AppliedLayer applied = TarRootfsApplier.create().apply(new ByteArrayInputStream(sink.toByteArray()),
                    MediaTypes.DOCKER_LAYER_GZIP, v.dest);
            assertThat(applied.diffId()).isEqualTo(split.layer().diffId());
            assertThat(applied.size()).isEqualTo(split.layer().uncompressedSize());
        }

        @Test
        void split_missingConfig_configNotFound() {
            // CTX-01: Docker's words
            Outcome o = attempt(tar().dir("rootfs").file("rootfs/x", "x").bytes());
            assertKind(o, CONFIG);
            assertThat(o.error().get()).hasMessage("config not found");
        }

        @Test
        void split_missingRootfs_noRootfsFound() {
            // CTX-02
            Outcome o = attempt(tar().file("config.json", CONFIG_JSON).file("other/file", "x").bytes());
            assertKind(o, CONFIG);
            assertThat(o.error().get()).hasMessage("no rootfs found");
        }

        @Test
        void split_hugeConfig_limitWhileStreaming() {
            // CTX-03: the cap is checked from the header, before the bytes are buffered
            Outcome o = attempt(tar().file("config.json", " ".repeat(2 << 20)).dir("rootfs").bytes());
            assertKind(o, LIMIT);
            Outcome small = attempt(context().bytes(), RootfsLimits.defaults().withMaxConfigSize(10));
            assertKind(small, LIMIT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"config.json", "./config.json", "/config.json", "rootfs/../config.json"})
        void split_secondConfigUnderAnyAlias_ambiguous(String alias) {
            // CTX-04: moby keeps the last; Berth refuses
            Outcome o = attempt(context().file(alias, "{\"Linux\":{\"Capabilities\":[\"CAP_SYS_ADMIN\"]}}").bytes());
            assertKind(o, CONFIG);
        }

        @ParameterizedTest
        @ValueSource(strings = {"symlink", "absolute-symlink", "hardlink", "dir", "fifo"})
        void split_configNotRegularFile_refused(String type) {
            // CTX-05
            TarBuilder t = tar().dir("rootfs").file("rootfs/etc/shadow", "secret");
            switch (type) {
                case "symlink" -> t.symlink("config.json", "rootfs/etc/shadow");
                case "absolute-symlink" -> t.symlink("config.json", "/etc/shadow");
                case "hardlink" -> t.hardlink("config.json", "rootfs/etc/shadow");
                case "dir" -> t.dir("config.json");
                default -> t.fifo("config.json");
            }
            assertKind(attempt(t.bytes()), CONFIG);
        }

        @Test
        void split_entriesOutsideRootfs_discarded() throws IOException {
            // CTX-06 (names climbing out are refused instead: see below)
            Outcome o = attempt(context().file("other/file", "x").file("rootfsX/etc/passwd", "x").bytes());
            assertThat(layerNames(o.layer())).containsExactly("bin/", "bin/entry");
            assertThat(v.dest.resolve("other")).doesNotExist();
            assertThat(v.dest.resolve("etc")).doesNotExist();
        }

        @ParameterizedTest
        @ValueSource(strings = {"../../x", "rootfs/../../x", "/../x"})
        void split_nameClimbingOut_breakout(String name) {
            // CTX-06 with the "clear errors for hostile names"
            assertKind(attempt(context().file(name, "x").bytes()), BREAKOUT);
        }

        @Test
        void split_rootfsEntryAsDirectory_mapsToRootNotWritten() throws IOException {
            // CTX-07
            Outcome o = attempt(tar().file("config.json", CONFIG_JSON).entry("rootfs/", TarConstants.LF_DIR,
                    e -> e.setMode(0777), null).file("rootfs/a", "a").bytes());
            assertThat(layerNames(o.layer())).containsExactly("a");
        }

        @Test
        void split_rootfsEntryAsSymlink_malformed() {
            // CTX-07 / TAR-60
            assertKind(attempt(tar().file("config.json", CONFIG_JSON).symlink("rootfs", "/").bytes()), MALFORMED);
        }

        @Test
        void split_hardlinkWithRootfsPrefix_rewritten() throws IOException {
            // CTX-08
            Outcome o = attempt(context().file("rootfs/etc/passwd", "p").hardlink("rootfs/etc/p2", "rootfs/etc/passwd")
                    .hardlink("rootfs/etc/p3", "/rootfs/etc/passwd").bytes());
            assertThat(layerNames(o.layer())).contains("etc/p2 -> etc/passwd", "etc/p3 -> etc/passwd");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ROOTFS/etc/passwd", "config.json", "/etc/shadow", "../victim/hello"})
        void split_hardlinkOutsideRootfs_refused(String target) {
            // CTX-08: exact case only; never resolved outside the new root
            Outcome o = attempt(context().file("rootfs/etc/passwd", "p").hardlink("rootfs/etc/x", target).bytes());
            assertThat(o.error()).isPresent();
            assertThat(o.error().get().kind()).isIn(MALFORMED, BREAKOUT);
        }

        @Test
        void split_symlinksOutOfRootfs_storedVerbatimNeverFollowed() throws IOException {
            // CTX-09
            Outcome o = attempt(context().symlink("rootfs/x", "../config.json").symlink("rootfs/y", "../../victim")
                    .file("rootfs/y/planted", "X").bytes());
            assertThat(layerNames(o.layer())).contains("x -> ../config.json", "y -> ../../victim");
            assertThat(Files.readSymbolicLink(v.dest.resolve("x"))).isEqualTo(Path.of("../config.json"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"rootfs//etc/a", "./rootfs/etc/a", "/rootfs/etc/a", "rootfs/./etc/a"})
        void split_prefixVariants_normalized(String name) throws IOException {
            // CTX-10
            Outcome o = attempt(tar().file("config.json", CONFIG_JSON).file(name, "a").bytes());
            assertThat(layerNames(o.layer())).containsExactly("etc/a");
        }

        @Test
        void split_gzipContext_sniffed() {
            // CTX-11: documented gzip (and zstd) support
            assertThat(attempt(context().gzip()).split()).isPresent();
            assertThat(attempt(Zstd.compress(context().bytes())).split()).isPresent();
        }

        @Test
        void split_notATar_malformed() {
            // CTX-11
            assertKind(attempt("this is not a tar archive at all, just some text".repeat(20).getBytes()), MALFORMED);
        }

        @Test
        void split_trailingJsonInConfig_keptVerbatimForTheParser() {
            // CTX-13: the splitter does not parse; it hands over the exact bytes the parser must refuse
            Outcome o = attempt(tar().file("config.json", "{}{}").dir("rootfs").file("rootfs/a", "a").bytes());
            assertThat(new String(o.split().orElseThrow().config(), StandardCharsets.UTF_8)).isEqualTo("{}{}");
        }

        @Test
        void split_failingMidStream_sinkHoldsNoCompleteLayer() {
            // CTX-15: the caller aborts its ingest; nothing here claims success
            byte[] context = context().file("rootfs/big", "x".repeat(100_000)).bytes();
            InputStream half = new ByteArrayInputStream(context, 0, context.length / 2);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            assertThatThrownBy(() -> TarContextSplitter.create().split(half, sink))
                    .isInstanceOfSatisfying(ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(MALFORMED));
        }

        @Test
        void split_deviceNumberOutOfRange_malformedNotRewritten() {
            // TAR-41 through the splitter: Commons Compress would narrow 2^32 to 0 when re-emitting
            byte[] archive = context().device("rootfs/dev/x", TarConstants.LF_CHR, 1, 1).bytes();
            int block = 0;
            for (int i = 0; i < archive.length; i += 512) {
                if (archive[i + 156] == '3') {
                    block = i / 512;
                }
            }
            byte[] patched = TarBuilder.patchHeader(archive, block, 329, new byte[] {(byte) 0x80, 0, 0, 1, 0, 0, 0, 0});
            assertKind(attempt(patched), MALFORMED);
        }

        @Test
        void split_configInsideRootfs_justAFile() throws IOException {
            // CTX-17
            Outcome o = attempt(context().file("rootfs/config.json", "{\"inner\":true}").bytes());
            assertThat(new String(o.split().orElseThrow().config(), StandardCharsets.UTF_8)).isEqualTo(CONFIG_JSON);
            assertThat(Files.readString(v.dest.resolve("config.json"))).isEqualTo("{\"inner\":true}");
        }

        @Test
        void split_sameContextTwice_sameLayerDigest() {
            // CTX-16 precondition: the blob is a function of the context
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] context = context().bytes();
            SplitContext first = TarContextSplitter.create().split(new ByteArrayInputStream(context), a);
            SplitContext second = TarContextSplitter.create().split(new ByteArrayInputStream(context), b);
            assertThat(first).isEqualTo(second);
            assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        }

        @Test
        void split_sinkNotClosed_callerOwnsIt() {
            boolean[] closed = {false};
            ByteArrayOutputStream sink = new ByteArrayOutputStream() {
                @Override
                public void close() {
                    closed[0] = true;
                }
            };
            TarContextSplitter.create().split(new ByteArrayInputStream(context().bytes()), sink);
            assertThat(closed[0]).isFalse();
            assertThat(sink.size()).isPositive();
        }
    }
}
