package dev.berth.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.WrittenLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarLayerWriterTest {
    @TempDir
    Path tmp;
    Path source;

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @BeforeEach
    void tree() throws IOException {
        source = Files.createDirectories(tmp.resolve("source"));
        Files.createDirectories(source.resolve("bin"));
        Files.createDirectories(source.resolve("etc/deep/er"));
        Files.createDirectories(source.resolve("tmp"));
        Files.writeString(source.resolve("bin/entry"), "#!/bin/sh\nexit 0\n");
        Files.setAttribute(source.resolve("bin/entry"), "unix:mode", 04755);
        Files.writeString(source.resolve("etc/motd"), "tiny\n");
        Files.createLink(source.resolve("etc/motd.hard"), source.resolve("etc/motd"));
        Files.createSymbolicLink(source.resolve("etc/motd.link"), Path.of("motd"));
        Files.createSymbolicLink(source.resolve("etc/abs.link"), Path.of("/nonexistent/abs"));
        Files.write(source.resolve("etc/empty"), new byte[0]);
        Files.writeString(source.resolve("etc/deep/er/" + "n".repeat(120)), "long name");
        Files.writeString(source.resolve("etc/d\u00e9j\u00e0-vu"), "non-ASCII name");
        Files.setAttribute(source.resolve("tmp"), "unix:mode", 01777);
        if (isRoot()) {
            Files.setAttribute(source.resolve("etc/motd"), "unix:uid", 1000);
            Files.setAttribute(source.resolve("etc/motd"), "unix:gid", 1001);
        }
        for (Path p : List.of(source.resolve("bin/entry"), source.resolve("etc/empty"))) {
            Files.setLastModifiedTime(p, FileTime.from(1_600_000_000L, TimeUnit.SECONDS));
        }
    }

    static byte[] write(TarLayerWriter writer, Path root, WrittenLayer[] result) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result[0] = writer.write(root, out);
        return out.toByteArray();
    }

    static List<TarArchiveEntry> entries(byte[] blob) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GzipCompressorInputStream(new ByteArrayInputStream(blob)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Nested
    class Write {
        @Test
        void write_sameTreeTwice_sameDigest() {
            WrittenLayer[] a = new WrittenLayer[1];
            WrittenLayer[] b = new WrittenLayer[1];
            byte[] first = write(TarLayerWriter.create(), source, a);
            byte[] second = write(TarLayerWriter.create(), source, b);
            assertThat(second).isEqualTo(first);
            assertThat(a[0]).isEqualTo(b[0]);
            assertThat(a[0].digest()).isEqualTo(Digest.sha256(first));
            assertThat(a[0].size()).isEqualTo(first.length);
            assertThat(a[0].mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
        }

        @Test
        void write_anyTree_sortedRelativeNamesDirectoriesWithSlash() throws IOException {
            WrittenLayer[] r = new WrittenLayer[1];
            List<String> names = entries(write(TarLayerWriter.create(), source, r)).stream()
                    .map(TarArchiveEntry::getName).toList();
            assertThat(names).startsWith("bin/", "bin/entry", "etc/", "etc/abs.link", "etc/deep/", "etc/deep/er/");
            assertThat(names).allSatisfy(n -> assertThat(n).doesNotStartWith("/").doesNotStartWith("./"));
            assertThat(names).contains("tmp/");
        }

        @Test
        void write_hardlinkedFiles_secondIsLinkToFirst() throws IOException {
            WrittenLayer[] r = new WrittenLayer[1];
            TarArchiveEntry hard = entries(write(TarLayerWriter.create(), source, r)).stream()
                    .filter(e -> e.getName().equals("etc/motd.hard")).findFirst().orElseThrow();
            assertThat(hard.isLink()).isTrue();
            assertThat(hard.getLinkName()).isEqualTo("etc/motd");
        }

        @Test
        void write_zeroOwnersAndFixedTime_appliedToEveryEntry() throws IOException {
            Instant t = Instant.parse("2020-01-01T00:00:00Z");
            WrittenLayer[] r = new WrittenLayer[1];
            List<TarArchiveEntry> entries = entries(write(TarLayerWriter.builder()
                    .owners(TarLayerWriter.Owners.ZERO).mtime(t).build(), source, r));
            assertThat(entries).allSatisfy(e -> {
                assertThat(e.getLongUserId()).isZero();
                assertThat(e.getLongGroupId()).isZero();
                assertThat(e.getUserName()).isEmpty();
                assertThat(e.getLastModifiedTime().toInstant()).isEqualTo(t);
            });
        }

        @Test
        void write_fixedTime_digestIndependentOfFileTimes() throws IOException {
            TarLayerWriter writer = TarLayerWriter.builder().mtime(Instant.EPOCH).build();
            WrittenLayer[] a = new WrittenLayer[1];
            WrittenLayer[] b = new WrittenLayer[1];
            write(writer, source, a);
            Files.setLastModifiedTime(source.resolve("etc/motd"), FileTime.fromMillis(0));
            write(writer, source, b);
            assertThat(b[0].digest()).isEqualTo(a[0].digest());
        }

        @Test
        void write_gzipHeader_noNameZeroTime() {
            WrittenLayer[] r = new WrittenLayer[1];
            byte[] blob = write(TarLayerWriter.create(), source, r);
            assertThat(blob[3]).as("no FNAME/FCOMMENT flags").isZero();
            assertThat(new byte[] {blob[4], blob[5], blob[6], blob[7]}).containsOnly(0);
        }

        @Test
        void write_diffId_isDigestOfTarStream() throws IOException {
            WrittenLayer[] r = new WrittenLayer[1];
            byte[] blob = write(TarLayerWriter.create(), source, r);
            byte[] tar;
            try (InputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(blob))) {
                tar = in.readAllBytes();
            }
            assertThat(r[0].diffId()).isEqualTo(Digest.sha256(tar));
            assertThat(r[0].uncompressedSize()).isEqualTo(tar.length);
            assertThat(tar.length % 512).isZero();
        }

        @Test
        void write_fifo_writtenAsFifoEntry() throws Exception {
            Process mkfifo = new ProcessBuilder("mkfifo", source.resolve("etc/pipe").toString()).start();
            assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo unavailable");
            WrittenLayer[] r = new WrittenLayer[1];
            assertThat(entries(write(TarLayerWriter.create(), source, r))).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("etc/pipe");
                assertThat(e.isFIFO()).isTrue();
            });
        }

        @Test
        void write_jimfsTree_deterministic() throws IOException {
            try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                    .setAttributeViews("basic", "owner", "posix", "unix").build())) {
                Path root = Files.createDirectories(fs.getPath("/tree/a"));
                Files.writeString(root.resolve("f"), "f");
                Files.createSymbolicLink(root.resolve("l"), fs.getPath("f"));
                WrittenLayer[] a = new WrittenLayer[1];
                WrittenLayer[] b = new WrittenLayer[1];
                byte[] first = write(TarLayerWriter.create(), fs.getPath("/tree"), a);
                assertThat(write(TarLayerWriter.create(), fs.getPath("/tree"), b)).isEqualTo(first);
                assertThat(entries(first).stream().map(TarArchiveEntry::getName)).containsExactly("a/", "a/f", "a/l");
            }
        }
    }

    @Nested
    class RoundTrip {
        @Test
        void write_extractedByGnuTar_sameTreeAsSource() throws Exception {
            WrittenLayer[] r = new WrittenLayer[1];
            Path blob = tmp.resolve("layer.tar.gz");
            Files.write(blob, write(TarLayerWriter.create(), source, r));
            Path out = Files.createDirectories(tmp.resolve("gnu"));
            Files.setLastModifiedTime(out, Files.getLastModifiedTime(source));
            Process tar = new ProcessBuilder("tar", "-xzpf", blob.toString(), "-C", out.toString(), "--numeric-owner")
                    .redirectErrorStream(true).start();
            tar.getOutputStream().close();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(tar.exitValue()).as(output).isZero();
            Map<String, String> expected = Trees.describe(source);
            assertThat(Trees.describe(out)).isEqualTo(expected);
        }

        @Test
        void write_appliedByBerth_sameTreeAsSource() throws IOException {
            WrittenLayer[] r = new WrittenLayer[1];
            byte[] blob = write(TarLayerWriter.create(), source, r);
            Path out = Files.createDirectories(tmp.resolve("berth"));
            Files.setAttribute(out, "unix:mode", 0755);
            AppliedLayer applied = TarRootfsApplier.create().apply(new ByteArrayInputStream(blob), r[0].mediaType(), out);
            assertThat(applied.diffId()).isEqualTo(r[0].diffId());
            assertThat(Trees.describe(out)).isEqualTo(Trees.describe(source));
            assertThat(Files.isSymbolicLink(out.resolve("etc/abs.link"))).isTrue();
            assertThat(Files.readSymbolicLink(out.resolve("etc/abs.link"))).isEqualTo(Path.of("/nonexistent/abs"));
            assertThat(Files.isSameFile(out.resolve("etc/motd.hard"), out.resolve("etc/motd"))).isTrue();
            assertThat((Integer) Files.getAttribute(out.resolve("bin/entry"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                    & 07777).isEqualTo(04755);
        }
    }
}
