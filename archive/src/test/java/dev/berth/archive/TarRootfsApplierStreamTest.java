package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static dev.berth.rootfs.ArchiveException.Kind.BREAKOUT;
import static dev.berth.rootfs.ArchiveException.Kind.LIMIT;
import static dev.berth.rootfs.ArchiveException.Kind.MALFORMED;
import static dev.berth.rootfs.ArchiveException.Kind.UNSUPPORTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.exception.SystemException;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.RootfsPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compression, framing, limits and the real Docker layer: the catalog's TAR-50 to TAR-58, TAR-62, TAR-64. */
class TarRootfsApplierStreamTest extends ApplierTestBase {
    static final Configuration POSIX_JIMFS =
            Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build();

    Optional<ArchiveException> attempt(byte[] blob, String mediaType, RootfsPolicy policy) {
        try {
            TarRootfsApplier.create(policy).apply(new ByteArrayInputStream(blob), mediaType, v.dest);
            return Optional.empty();
        } catch (ArchiveException e) {
            return Optional.of(e);
        } finally {
            v.assertUntouched();
        }
    }

    AppliedLayer apply(byte[] blob, String mediaType) {
        return TarRootfsApplier.create().apply(new ByteArrayInputStream(blob), mediaType, v.dest);
    }

    static byte[] zerosLayer(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 512)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry e = new TarArchiveEntry("zeros");
            e.setSize(size);
            tar.putArchiveEntry(e);
            byte[] chunk = new byte[1 << 16];
            for (long left = size; left > 0; left -= chunk.length) {
                tar.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = TarRootfsApplierStreamTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Nested
    class DockerLayer {
        @Test
        void apply_realDockerLayer_expectedTreeAndDiffId() throws IOException {
            byte[] blob = resource("tiny-plugin-layer.tar.gz");
            AppliedLayer layer = apply(blob, MediaTypes.DOCKER_LAYER_GZIP);
            assertThat(layer.diffId()).isEqualTo(
                    Digest.parse("sha256:78ddf85fde4244cebafc2ba8fd884af5472b691ff4e188be997122e197eeaf71"));
            assertThat(layer.size()).isEqualTo(gunzip(blob).length);
            assertThat(read(dest("bin/entry"))).isEqualTo("#!/bin/sh\nexit 0\n");
            assertThat((Integer) Files.getAttribute(dest("bin/entry"), "unix:mode", NOFOLLOW) & 07777).isEqualTo(0755);
            assertThat(read(dest("etc/motd"))).isEqualTo("tiny\n");
            assertThat((Integer) Files.getAttribute(dest("etc/motd"), "unix:mode", NOFOLLOW) & 07777).isEqualTo(0644);
            assertThat(inode(dest("etc/motd.hard"))).isEqualTo(inode(dest("etc/motd")));
            assertThat(Files.readSymbolicLink(dest("etc/motd.link"))).isEqualTo(Path.of("motd"));
            assertThat(dest("run/docker/plugins")).isDirectory();
        }

        @Test
        void apply_realDockerLayerOnJimfs_sameTree() throws IOException {
            try (FileSystem fs = Jimfs.newFileSystem(POSIX_JIMFS)) {
                Path root = Files.createDirectories(fs.getPath("/rootfs"));
                AppliedLayer layer = TarRootfsApplier.create().apply(
                        new ByteArrayInputStream(resource("tiny-plugin-layer.tar.gz")), MediaTypes.OCTET_STREAM, root);
                assertThat(layer.diffId().hex()).startsWith("78ddf85f");
                assertThat(Files.readString(root.resolve("etc/motd"))).isEqualTo("tiny\n");
                assertThat(Files.readSymbolicLink(root.resolve("etc/motd.link")).toString()).isEqualTo("motd");
                assertThat(Files.isSameFile(root.resolve("etc/motd.hard"), root.resolve("etc/motd"))).isTrue();
                assertThat(Files.getPosixFilePermissions(root.resolve("bin/entry"))).hasSize(7);
            }
        }

        @Test
        void apply_breakoutsOnJimfs_contained() throws IOException {
            try (FileSystem fs = Jimfs.newFileSystem(POSIX_JIMFS)) {
                Path root = Files.createDirectories(fs.getPath("/base/dest"));
                Path victim = Files.createDirectories(fs.getPath("/base/victim"));
                Files.writeString(victim.resolve("hello"), "hello");
                byte[] layer = tar().symlink("up", "../victim").symlink("abs", "/base/victim").file("up/x", "X")
                        .file("abs/y", "Y").dir("inner").symlink("inner/go_up", "..").file("inner/go_up/up/z", "Z").bytes();
                TarRootfsApplier.create().apply(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, root);
                try (var s = Files.list(victim)) {
                    assertThat(s.map(p -> p.getFileName().toString())).containsExactly("hello");
                }
                assertThat(Files.readString(root.resolve("victim/x"))).isEqualTo("X");
                assertThat(Files.readString(root.resolve("base/victim/y"))).isEqualTo("Y");
                assertThatThrownBy(() -> TarRootfsApplier.create().apply(
                        new ByteArrayInputStream(tar().file("../victim/w", "W").bytes()), MediaTypes.OCI_LAYER_TAR, root))
                        .isInstanceOfSatisfying(ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(BREAKOUT));
            }
        }
    }

    @Nested
    class Limits {
        @Test
        void apply_gzipBomb_limit() throws IOException {
            // TAR-50: 64 MiB of zeros in about 64 KiB, against a 16 MiB cap
            byte[] bomb = TarBuilder.gzip(zerosLayer(64L << 20));
            assertThat(bomb.length).isLessThan(1 << 20);
            RootfsPolicy policy = RootfsPolicy.defaults().withLimits(RootfsLimits.defaults().withMaxUncompressedBytes(16L << 20));
            assertKind(attempt(bomb, MediaTypes.DOCKER_LAYER_GZIP, policy), LIMIT);
        }

        @Test
        void apply_zstdBomb_limit() throws IOException {
            // TAR-50 with zstd
            byte[] bomb = Zstd.compress(zerosLayer(64L << 20));
            RootfsPolicy policy = RootfsPolicy.defaults().withLimits(RootfsLimits.defaults().withMaxUncompressedBytes(16L << 20));
            assertKind(attempt(bomb, MediaTypes.OCI_LAYER_ZSTD, policy), LIMIT);
        }

        @Test
        void apply_tooManyEntries_limit() {
            // TAR-51
            TarBuilder t = tar();
            for (int i = 0; i < 101; i++) {
                t.file("f" + i, "");
            }
            RootfsPolicy policy = RootfsPolicy.defaults().withLimits(RootfsLimits.defaults().withMaxEntries(100));
            assertKind(attempt(t.bytes(), MediaTypes.OCI_LAYER_TAR, policy), LIMIT);
        }

        @Test
        void apply_tooDeepDirectories_limit() {
            // TAR-51
            assertKind(attempt(tar().dir("d/".repeat(300)).bytes(), MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()),
                    LIMIT);
        }

        @Test
        void apply_hugePaxHeader_limitWithoutAllocating() {
            // TAR-52: a PAX header declaring 100 MiB, the data absent
            byte[] archive = tar().pax("comment", "x").file("f", "f").bytes();
            byte[] patched = TarBuilder.patchHeader(archive, 0, 124, "00620000000\0".getBytes());
            assertKind(attempt(patched, MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()), LIMIT);
        }

        @Test
        void apply_hugeGnuLongName_limitWithoutAllocating() {
            // TAR-52: a GNU 'L' record of 8 GiB in a base-256 size field
            byte[] archive = tar().gnuLongName("long").file("f", "f").bytes();
            byte[] size = {(byte) 0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0};
            assertKind(attempt(TarBuilder.patchHeader(archive, 0, 124, size), MediaTypes.OCI_LAYER_TAR,
                    RootfsPolicy.defaults()), LIMIT);
        }
    }

    @Nested
    class Framing {
        @Test
        void apply_headerWithWrongChecksum_malformedAndNothingApplied() {
            // regression: Commons Compress does not verify checksums, so a damaged name was applied as read
            byte[] layer = tar().file("good", "G").bytes();
            layer[0] ^= 1;

            assertKind(attempt(layer), MALFORMED);
            assertThat(dest("food")).doesNotExist();
            assertThat(dest("good")).doesNotExist();
        }

        @Test
        void apply_truncatedEntry_malformed() {
            // TAR-53: declared 1 GiB, 1 KiB present
            byte[] archive = tar().file("big", new byte[1024], 0644).bytes();
            byte[] patched = Arrays.copyOf(TarBuilder.patchHeader(archive, 0, 124, "10000000000\0".getBytes()), 1536);
            assertKind(attempt(patched, MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()), MALFORMED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"garbage", "negative"})
        void apply_badSizeField_malformed(String variant) {
            // TAR-53
            byte[] archive = tar().file("f", "f").bytes();
            byte[] size = variant.equals("garbage") ? "zz9xq!!!!!!\0".getBytes()
                    : new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
            assertKind(attempt(TarBuilder.patchHeader(archive, 0, 124, size), MediaTypes.OCI_LAYER_TAR,
                    RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_junkAfterEndOfArchive_acceptedAndHashed() {
            // TAR-54: the diff ID covers the junk too
            byte[] archive = tar().file("f", "f").bytes();
            byte[] withJunk = Arrays.copyOf(archive, archive.length + 10 * 1024);
            Arrays.fill(withJunk, archive.length, withJunk.length, (byte) 'J');
            AppliedLayer layer = apply(withJunk, MediaTypes.OCI_LAYER_TAR);
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(withJunk));
            assertThat(layer.size()).isEqualTo(withJunk.length);
        }

        @Test
        void apply_gzipWithTrailingNuls_accepted() {
            // TAR-54
            byte[] archive = tar().file("f", "f").bytes();
            byte[] gz = TarBuilder.gzip(archive);
            AppliedLayer layer = apply(Arrays.copyOf(gz, gz.length + 4096), MediaTypes.DOCKER_LAYER_GZIP);
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
        }

        @Test
        void apply_concatenatedGzipMembers_allRead() throws IOException {
            // TAR-55: one tar split across two members
            byte[] archive = tar().file("first", "1").file("second", "2").bytes();
            int half = 1024;
            ByteArrayOutputStream cat = new ByteArrayOutputStream();
            cat.write(TarBuilder.gzip(Arrays.copyOfRange(archive, 0, half)));
            cat.write(TarBuilder.gzip(Arrays.copyOfRange(archive, half, archive.length)));
            AppliedLayer layer = apply(cat.toByteArray(), MediaTypes.OCI_LAYER_GZIP);
            assertThat(read(dest("first"))).isEqualTo("1");
            assertThat(read(dest("second"))).isEqualTo("2");
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
        }

        @Test
        void apply_declaredCompressionDisagreesWithBytes_unsupported() {
            // TAR-56
            byte[] archive = tar().file("f", "f").bytes();
            assertKind(attempt(Zstd.compress(archive), MediaTypes.OCI_LAYER_GZIP, RootfsPolicy.defaults()), UNSUPPORTED);
            assertKind(attempt(archive, MediaTypes.DOCKER_LAYER_GZIP, RootfsPolicy.defaults()), UNSUPPORTED);
            assertKind(attempt(TarBuilder.gzip(archive), MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()), UNSUPPORTED);
            assertThat(dest("f")).doesNotExist();
        }

        @ParameterizedTest
        @ValueSource(strings = {"tar", "gzip", "zstd"})
        void apply_genericMediaType_sniffed(String format) throws IOException {
            byte[] archive = tar().file("f", format).bytes();
            byte[] blob = switch (format) {
                case "gzip" -> TarBuilder.gzip(archive);
                case "zstd" -> Zstd.compress(archive);
                default -> archive;
            };
            AppliedLayer layer = apply(blob, MediaTypes.OCTET_STREAM);
            assertThat(read(dest("f"))).isEqualTo(format);
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/vnd.docker.image.rootfs.diff.tar.bzip2", "text/plain",
            "application/vnd.oci.image.layer.v1.tar+xz"})
        void apply_unsupportedMediaType_unsupportedNeverEmptyRoot(String mediaType) {
            // TAR-64 (the gap: moby skips such layers and "succeeds" with an empty rootfs)
            assertKind(attempt(tar().file("f", "f").bytes(), mediaType, RootfsPolicy.defaults()), UNSUPPORTED);
        }

        @Test
        void apply_bzip2BytesWithGenericType_unsupported() {
            assertKind(attempt("BZh91AY&SY".getBytes(StandardCharsets.US_ASCII), MediaTypes.OCTET_STREAM,
                    RootfsPolicy.defaults()), UNSUPPORTED);
        }

        @Test
        void apply_zstdWindowTooLarge_malformed() {
            // TAR-57: a frame header asking for a 2 GiB window (windowLog 31) is refused, not allocated
            byte[] frame = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, (byte) (21 << 3), 0x01, 0x00, 0x00};
            assertKind(attempt(frame, MediaTypes.OCI_LAYER_ZSTD, RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_zstdNeedingDictionary_malformed() {
            // TAR-57
            byte[] frame = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x01, 0x00, 0x07, 0x01, 0x00, 0x00};
            assertKind(attempt(frame, MediaTypes.OCI_LAYER_ZSTD, RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_zstdSkippableFramesOnly_malformed() {
            // TAR-57: nothing to unpack is not an empty rootfs
            byte[] frame = {0x50, 0x2a, 0x4d, 0x18, 0x04, 0x00, 0x00, 0x00, 1, 2, 3, 4};
            assertKind(attempt(frame, MediaTypes.OCI_LAYER_ZSTD, RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_emptyStream_malformed() {
            assertKind(attempt(new byte[0], MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_pngWithLayerType_malformed() {
            // TAR-58
            byte[] png = new byte[2048];
            System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, png, 0, 8);
            Arrays.fill(png, 8, png.length, (byte) 7);
            assertKind(attempt(png, MediaTypes.OCI_LAYER_TAR, RootfsPolicy.defaults()), MALFORMED);
        }

        @Test
        void apply_zstdMediaType_unpacked() throws IOException {
            // TAR-64
            byte[] archive = tar().file("etc/zstd", "z").bytes();
            AppliedLayer layer = apply(Zstd.compress(archive), MediaTypes.OCI_LAYER_ZSTD);
            assertThat(read(dest("etc/zstd"))).isEqualTo("z");
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
        }

        @Test
        void apply_diffIdOfGzipLayer_isDigestOfUncompressedStream() {
            // TAR-62: the caller compares it with config.rootfs.diff_ids
            byte[] archive = tar().file("a", "a").dir("d").bytes();
            AppliedLayer layer = apply(TarBuilder.gzip(archive), MediaTypes.DOCKER_LAYER_GZIP);
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
            assertThat(layer.size()).isEqualTo(archive.length);
            assertThat(layer.entries()).isEqualTo(2);
        }

        @Test
        void apply_skippedEntries_dataStillHashed() {
            // entries Berth does not materialise (AUFS metadata, whiteouts with data) are skipped by the
            // tar reader, and the skipped bytes must still reach the diff ID
            byte[] archive = tar().file(".wh..wh.plnk/123.456", new byte[10_000], 0644)
                    .file(".wh.gone", new byte[3000], 0644).file("kept", "k").bytes();
            AppliedLayer layer = apply(archive, MediaTypes.OCI_LAYER_TAR);
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(archive));
            assertThat(layer.size()).isEqualTo(archive.length);
        }

        @Test
        void apply_sourceFailing_systemErrorNotArchiveError() {
            InputStream failing = new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("connection reset");
                }
            };
            assertThatThrownBy(() -> TarRootfsApplier.create().apply(failing, MediaTypes.OCI_LAYER_TAR, v.dest))
                    .isInstanceOf(SystemException.class).hasMessageContaining("connection reset");
        }
    }

    @Nested
    class Memory {
        @Test
        void apply_100MiBLayerInSmallHeap_constantMemoryOnePass() throws Exception {
            Path layerFile = tmp.resolve("large.tar.gz");
            Digester expected = Digester.sha256();
            long fileBytes = 100L << 20;
            try (OutputStream file = Files.newOutputStream(layerFile);
                    GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(expected.wrap(gz), 512)) {
                TarArchiveEntry e = new TarArchiveEntry("big");
                e.setSize(fileBytes);
                tar.putArchiveEntry(e);
                byte[] chunk = new byte[1 << 16];
                for (long i = 0; i < fileBytes / chunk.length; i++) {
                    Arrays.fill(chunk, (byte) i);
                    chunk[(int) (i % chunk.length)] = (byte) (i >> 8);
                    tar.write(chunk);
                }
                tar.closeArchiveEntry();
                tar.putArchiveEntry(new TarArchiveEntry("small"));
                tar.closeArchiveEntry();
            }
            Path root = Files.createDirectories(tmp.resolve("large-root"));
            Files.setAttribute(root, "unix:mode", 0700);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                    LargeLayerMain.class.getName(), layerFile.toString(), root.toString())
                    .redirectErrorStream(true).start();
            child.getOutputStream().close();
            String output;
            try (InputStream out = child.getInputStream()) {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            List<String> lines = output.lines().toList();
            String[] fields = lines.get(lines.size() - 1).split(" ");
            assertThat(Digest.parse(fields[0])).isEqualTo(expected.digest());
            assertThat(Long.parseLong(fields[1])).isEqualTo(expected.count());
            assertThat(Long.parseLong(fields[2])).as("the blob is read once, to its end").isEqualTo(Files.size(layerFile));
            assertThat(Files.size(root.resolve("big"))).isEqualTo(fileBytes);
            System.out.println("100 MiB layer: compressed " + Files.size(layerFile) + " bytes, committed heap "
                    + Long.parseLong(fields[3]) / 1024 + " KiB under -Xmx24m");
        }
    }
}
