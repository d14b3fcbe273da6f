package dev.berth.registry.layout;

import static dev.berth.registry.layout.OciLayoutResolverTest.CONFIG;
import static dev.berth.registry.layout.OciLayoutResolverTest.CONFIG_DESC;
import static dev.berth.registry.layout.OciLayoutResolverTest.LAYER;
import static dev.berth.registry.layout.OciLayoutResolverTest.LAYER_DESC;
import static dev.berth.registry.layout.OciLayoutResolverTest.MANIFEST;
import static dev.berth.registry.layout.OciLayoutResolverTest.MANIFEST_DESC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException;
import dev.berth.rootfs.ArchiveException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OciArchiveTest {
    static final String LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";
    static final Reference REF = Reference.parse("localhost:5000/acme/tiny:1.0");

    FileSystem fs;
    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        dir = Files.createDirectories(fs.getPath("/work"));
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    static String index(Descriptor manifest, String refName) {
        return "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + manifest.mediaType() + "\",\"digest\":\""
                + manifest.digest() + "\",\"size\":" + manifest.size()
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + refName + "\"}}]}";
    }

    /** A well-formed archive of the tiny plugin, as skopeo lays it out (directories, blobs, index, layout). */
    static TarBuilder valid() {
        return new TarBuilder().dir("blobs/").dir("blobs/sha256/").blob(CONFIG).blob(LAYER).blob(MANIFEST)
                .file("index.json", index(MANIFEST_DESC, "1.0")).file("oci-layout", LAYOUT);
    }

    Path write(byte[] tar) throws IOException {
        Path f = dir.resolve("a.tar");
        Files.write(f, tar);
        return f;
    }

    static ArchiveException.Kind kindOf(Throwable t) {
        return ((ArchiveException) t).kind();
    }

    @Nested
    class Hostile {
        @Test
        void dotDotName_isBreakout() throws IOException {
            Path f = write(valid().file("../victim", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.BREAKOUT);
        }

        @Test
        void climbingAfterCleaning_isBreakout() throws IOException {
            Path f = write(valid().file("blobs/../../x", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.BREAKOUT);
        }

        @Test
        void absoluteName_isBreakout() throws IOException {
            Path f = write(valid().file("/etc/passwd", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.BREAKOUT);
        }

        @Test
        void paxPathClimbing_isBreakout() throws IOException {
            Path f = write(valid().pax("path=../../x").file("safe", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.BREAKOUT);
        }

        @Test
        void gnuLongNameClimbing_isBreakout() throws IOException {
            Path f = write(valid().entry("././@LongLink", 'L', "../../x\0".getBytes(StandardCharsets.UTF_8))
                    .file("safe", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.BREAKOUT);
        }

        @Test
        void symlink_isRefused() throws IOException {
            Path f = write(valid().link("blobs/sha256/" + "a".repeat(64), '2', "/etc/passwd").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("symbolic link");
        }

        @Test
        void symlinkedIndex_isRefused() throws IOException {
            Path f = write(new TarBuilder().blob(CONFIG).blob(LAYER).blob(MANIFEST)
                    .link("index.json", '2', "/etc/passwd").file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.MALFORMED);
        }

        @Test
        void hardlink_isRefused() throws IOException {
            Path f = write(valid().link("blobs/sha256/" + "b".repeat(64), '1', "oci-layout").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("hard link");
        }

        @Test
        void devicesAndFifos_areRefused() throws IOException {
            for (char type : new char[] {'3', '4', '6'}) {
                Path f = write(valid().entry("dev/sda", type, new byte[0]).end());
                assertThatThrownBy(() -> OciArchive.open(f)).as("type %s", type).isInstanceOf(ArchiveException.class)
                        .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.MALFORMED);
            }
        }

        @Test
        void unknownType_isRefused() throws IOException {
            Path f = write(valid().entry("x", 'S', new byte[0]).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("unsupported type");
        }

        @Test
        void duplicateIndex_isRefused() throws IOException {
            Path f = write(valid().file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("appears twice");
        }

        @Test
        void duplicateBlobSpelledDifferently_isRefused() throws IOException {
            Path f = write(valid().file("./blobs//sha256/" + Digest.sha256(LAYER).hex(), LAYER).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("appears twice");
        }

        @Test
        void hugeIndex_isLimit() throws IOException {
            byte[] huge = new byte[(4 << 20) + 1];
            java.util.Arrays.fill(huge, (byte) ' ');
            Path f = write(new TarBuilder().blob(CONFIG).blob(LAYER).blob(MANIFEST).file("index.json", huge)
                    .file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class)
                    .extracting(e -> ((RegistryException) e).reason()).isEqualTo(RegistryException.Reason.LIMIT);
        }

        @Test
        void hugeManifest_isLimit() throws IOException {
            byte[] huge = new byte[(4 << 20) + 1];
            Descriptor d = Descriptor.of(MANIFEST_DESC.mediaType(), Digest.sha256(huge), huge.length);
            Path f = write(new TarBuilder().blob(huge).file("index.json", index(d, "1.0"))
                    .file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class)
                    .extracting(e -> ((RegistryException) e).reason()).isEqualTo(RegistryException.Reason.LIMIT);
        }

        @Test
        void hugePaxHeader_isLimitBeforeItIsRead() throws IOException {
            byte[] h = TarIndex.header("PaxHeader", 1L << 40, false);
            h[156] = 'x';
            TarBuilder.rechecksum(h);
            Path f = write(new TarBuilder().raw(h).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.LIMIT);
        }

        @Test
        void blobNotMatchingItsDigest_failsTheRead() throws IOException {
            byte[] evil = LAYER.clone();
            evil[evil.length / 2] ^= 1;
            Path f = write(new TarBuilder().file("blobs/sha256/" + LAYER_DESC.digest().hex(), evil).blob(CONFIG)
                    .blob(MANIFEST).file("index.json", index(MANIFEST_DESC, "1.0")).file("oci-layout", LAYOUT).end());
            try (OciArchive a = OciArchive.open(f)) {
                assertThatThrownBy(() -> {
                    try (InputStream in = a.fetcher(REF).fetch(LAYER_DESC)) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }).isInstanceOf(DigestMismatchException.class);
            }
        }

        @Test
        void indexPointingAtAMissingBlob_isRefused() throws IOException {
            Path f = write(new TarBuilder().blob(CONFIG).blob(LAYER).file("index.json", index(MANIFEST_DESC, "1.0"))
                    .file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("does not hold");
        }

        @Test
        void indexWithUrls_isRefused() throws IOException {
            String idx = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MANIFEST_DESC.mediaType()
                    + "\",\"digest\":\"" + MANIFEST_DESC.digest() + "\",\"size\":" + MANIFEST_DESC.size()
                    + ",\"urls\":[\"http://169.254.169.254/x\"]}]}";
            Path f = write(valid().bytes().length > 0 ? new TarBuilder().blob(MANIFEST).file("index.json", idx)
                    .file("oci-layout", LAYOUT).end() : null);
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("points outside");
        }

        @Test
        void indexWithWrongSize_isRefused() throws IOException {
            Descriptor lying = Descriptor.of(MANIFEST_DESC.mediaType(), MANIFEST_DESC.digest(), MANIFEST_DESC.size() + 1);
            Path f = write(new TarBuilder().blob(MANIFEST).file("index.json", index(lying, "1.0"))
                    .file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class);
        }

        @Test
        void badChecksum_isMalformed() throws IOException {
            byte[] tar = valid().end();
            tar[10] ^= 1; // inside the first header's name
            Path f = write(tar);
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("checksum");
        }

        @Test
        void truncated_isMalformed() throws IOException {
            byte[] tar = valid().bytes();
            Path f = write(java.util.Arrays.copyOf(tar, tar.length - 600));
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.MALFORMED);
        }

        @Test
        void nulInPaxPath_isMalformed() throws IOException {
            Path f = write(valid().pax("path=a\0b").file("safe", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.MALFORMED);
        }

        @Test
        void paxRecordWithAHugeLength_isMalformed() throws IOException {
            Path f = write(valid().entry("PaxHeader", 'x',
                    "99999999999999999999 path=x\n".getBytes(StandardCharsets.UTF_8)).file("safe", "x").end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .extracting(OciArchiveTest::kindOf).isEqualTo(ArchiveException.Kind.MALFORMED);
        }

        @Test
        void invalidUtf8Name_isMalformed() throws IOException {
            byte[] h = TarIndex.header("xx", 0, false);
            h[0] = (byte) 0xff;
            TarBuilder.rechecksum(h);
            Path f = write(valid().raw(h).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("UTF-8");
        }

        @Test
        void gzipFile_isUnsupportedWithAHint() throws IOException {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (var out = new java.util.zip.GZIPOutputStream(gz)) {
                out.write(valid().end());
            }
            Path f = write(gz.toByteArray());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("decompress");
        }

        @Test
        void noOciLayoutFile_isRefused() throws IOException {
            Path f = write(new TarBuilder().blob(MANIFEST).file("index.json", index(MANIFEST_DESC, "1.0")).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("oci-layout");
        }

        @Test
        void notJson_isRefused() throws IOException {
            Path f = write(new TarBuilder().file("index.json", "{\"schemaVersion\":2,").file("oci-layout", LAYOUT).end());
            assertThatThrownBy(() -> OciArchive.open(f)).isInstanceOf(RegistryException.class);
        }

        @Test
        void refusedStream_leavesNoSpoolFile() throws IOException {
            Path spool = Files.createDirectories(dir.resolve("spool"));
            byte[] tar = valid().file("../x", "x").end();
            assertThatThrownBy(() -> OciArchive.read(new ByteArrayInputStream(tar), spool))
                    .isInstanceOf(ArchiveException.class);
            try (Stream<Path> s = Files.list(spool)) {
                assertThat(s).isEmpty();
            }
        }
    }

    @Nested
    class Read {
        @Test
        void skopeoShapedArchive_resolvesByTagAndServesByteExactBlobs() throws IOException {
            Path f = write(valid().end());
            try (OciArchive a = OciArchive.open(f)) {
                assertThat(a.resolve(Reference.parse("oci-layout.invalid/a:1.0"))).isEqualTo(MANIFEST_DESC);
                assertThat(a.entries()).singleElement().satisfies(e -> {
                    assertThat(e.refName()).contains("1.0");
                    assertThat(e.imageName()).isEmpty();
                });
                try (InputStream in = a.fetcher(REF).fetch(LAYER_DESC)) {
                    assertThat(in.readAllBytes()).isEqualTo(LAYER);
                }
            }
        }

        @Test
        void unknownTag_isNotFound() throws IOException {
            Path f = write(valid().end());
            try (OciArchive a = OciArchive.open(f)) {
                assertThatThrownBy(() -> a.resolve(REF.withTag("2.0"))).isInstanceOf(NotFoundException.class);
            }
        }

        @Test
        void missingFile_isNotFound() {
            assertThatThrownBy(() -> OciArchive.open(dir.resolve("none.tar"))).isInstanceOf(NotFoundException.class);
        }

        @Test
        void stream_isSpooledAndTheSpoolDeletedOnClose() throws IOException {
            Path spool = Files.createDirectories(dir.resolve("spool"));
            try (OciArchive a = OciArchive.read(new ByteArrayInputStream(valid().end()), spool)) {
                assertThat(a.resolve(REF)).isEqualTo(MANIFEST_DESC);
            }
            try (Stream<Path> s = Files.list(spool)) {
                assertThat(s).isEmpty();
            }
        }
    }

    @Nested
    class Write {
        byte[] writeTiny(Reference... refs) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OciArchiveWriter w = OciArchiveWriter.to(out);
            for (Reference r : refs) {
                Pusher p = w.pusher(r);
                p.push(CONFIG_DESC, BlobSource.of(CONFIG));
                p.push(LAYER_DESC, BlobSource.of(LAYER));
                p.push(MANIFEST_DESC, BlobSource.of(MANIFEST));
            }
            w.finish();
            return out.toByteArray();
        }

        @Test
        void roundTrip_keepsBytesAndNamesLikeContainerd() throws IOException {
            Path f = write(writeTiny(REF));
            try (OciArchive a = OciArchive.open(f)) {
                assertThat(a.entries()).singleElement().satisfies(e -> {
                    assertThat(e.refName()).contains("1.0");
                    assertThat(e.imageName()).contains("localhost:5000/acme/tiny:1.0");
                });
                assertThat(a.resolve(REF)).isEqualTo(MANIFEST_DESC);
                for (var d : List.of(CONFIG_DESC, LAYER_DESC, MANIFEST_DESC)) {
                    try (InputStream in = a.fetcher(REF).fetch(d)) {
                        assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(d.digest());
                    }
                }
            }
        }

        @Test
        void sharedBlobs_areWrittenOnce_andEachNameGetsAnEntry() throws IOException {
            Reference other = Reference.parse("localhost:5000/acme/other:1.0");
            byte[] one = writeTiny(REF);
            byte[] two = writeTiny(REF, other);
            assertThat(two.length - one.length).isLessThan(2048); // one more index entry, no blob twice
            try (OciArchive a = OciArchive.open(write(two))) {
                assertThat(a.entries()).extracting(e -> e.imageName().orElseThrow())
                        .containsExactly(REF.toString(), other.toString());
                assertThat(a.resolve(other)).isEqualTo(MANIFEST_DESC);
            }
        }

        @Test
        void output_isDeterministic() {
            assertThat(writeTiny(REF)).isEqualTo(writeTiny(REF));
        }

        @Test
        void pushOfABlobThatIsNotItsDigest_breaksTheWriter() {
            OciArchiveWriter w = OciArchiveWriter.to(new ByteArrayOutputStream());
            byte[] evil = LAYER.clone();
            evil[0] ^= 1;
            assertThatThrownBy(() -> w.pusher(REF).push(LAYER_DESC, BlobSource.of(evil)))
                    .isInstanceOf(DigestMismatchException.class);
            assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void secondPushOfABlob_isAlreadyExists() {
            OciArchiveWriter w = OciArchiveWriter.to(new ByteArrayOutputStream());
            assertThat(w.pusher(REF).push(LAYER_DESC, BlobSource.of(LAYER)).outcome())
                    .isEqualTo(PushResult.Outcome.UPLOADED);
            assertThat(w.pusher(REF).push(LAYER_DESC, BlobSource.of(LAYER)).outcome())
                    .isEqualTo(PushResult.Outcome.ALREADY_EXISTS);
        }

        @Test
        void refName_isTheTag() throws IOException {
            try (OciArchive a = OciArchive.open(write(writeTiny(REF)))) {
                assertThat(a.entries().get(0).descriptor().annotations())
                        .containsEntry(ImageIndex.REF_NAME, "1.0")
                        .containsEntry(OciArchive.IMAGE_NAME, "localhost:5000/acme/tiny:1.0");
            }
        }
    }
}
