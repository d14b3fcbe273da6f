package dev.berth.registry.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OciLayoutResolverTest {
    static byte[] load(String name) {
        try (InputStream in = OciLayoutResolverTest.class.getResourceAsStream("/registry-fixtures/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final byte[] CONFIG = load("tiny-plugin-config.json");
    static final byte[] LAYER = load("tiny-plugin-layer.tar.gz");
    static final byte[] MANIFEST = load("tiny-plugin-manifest.json");
    static final Descriptor CONFIG_DESC = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.sha256(CONFIG), CONFIG.length);
    static final Descriptor LAYER_DESC = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(LAYER), LAYER.length);
    static final Descriptor MANIFEST_DESC = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(MANIFEST), MANIFEST.length);

    FileSystem fs;
    Path dir;
    OciLayoutResolver layout;
    Reference ref = Reference.parse("localhost/tiny:1.0");

    @BeforeEach
    void setUp() {
        fs = Jimfs.newFileSystem(Configuration.unix());
        dir = fs.getPath("/layouts/tiny");
        layout = OciLayoutResolver.open(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    void pushAll(Reference r) {
        Pusher p = layout.pusher(r);
        p.push(LAYER_DESC, BlobSource.of(LAYER));
        p.push(CONFIG_DESC, BlobSource.of(CONFIG));
        p.push(MANIFEST_DESC, BlobSource.of(MANIFEST));
    }

    @Nested
    class Push {
        @Test
        void push_plugin_writesLayoutWithByteExactBlobs() throws IOException {
            pushAll(ref);

            assertThat(Files.readString(dir.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
            assertThat(Files.readAllBytes(dir.resolve("blobs/sha256/" + MANIFEST_DESC.digest().hex()))).isEqualTo(MANIFEST);
            assertThat(Files.readAllBytes(dir.resolve("blobs/sha256/" + CONFIG_DESC.digest().hex()))).isEqualTo(CONFIG);
            assertThat(Files.readString(dir.resolve("index.json"))).isEqualTo("{\"schemaVersion\":2,\"manifests\":["
                    + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\""
                    + MANIFEST_DESC.digest() + "\",\"size\":" + MANIFEST.length
                    + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1.0\"}}]}");
        }

        @Test
        void push_sameTagAgain_replacesTheEntry() {
            pushAll(ref);
            pushAll(ref);
            pushAll(ref.withTag("2.0"));

            assertThat(layout.resolve(ref)).isEqualTo(MANIFEST_DESC);
            assertThat(layout.resolve(ref.withTag("2.0"))).isEqualTo(MANIFEST_DESC);
        }

        @Test
        void push_existingBlob_reportsAlreadyExists() {
            pushAll(ref);

            assertThat(layout.pusher(ref).push(LAYER_DESC, BlobSource.of(LAYER)).outcome())
                    .isEqualTo(PushResult.Outcome.ALREADY_EXISTS);
        }

        @Test
        void push_wrongBytes_throwsAndLeavesNoBlob() throws IOException {
            byte[] bad = LAYER.clone();
            bad[0] ^= 1;

            assertThatThrownBy(() -> layout.pusher(ref).push(LAYER_DESC, BlobSource.of(bad)))
                    .isInstanceOf(DigestMismatchException.class);
            assertThat(dir.resolve("blobs/sha256/" + LAYER_DESC.digest().hex())).doesNotExist();
            try (var files = Files.list(dir.resolve("blobs/sha256"))) {
                assertThat(files).isEmpty();
            }
        }

        @Test
        void push_skopeoPreservedManifest_writesTheIndexSkopeoWrites() throws IOException {
            byte[] manifest = load("registry-plugin-1.1-manifest.json");
            Descriptor d = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(manifest), manifest.length);

            layout.pusher(Reference.parse("localhost:5000/test/myplugin:1.1")).push(d, BlobSource.of(manifest));

            assertThat(Files.readAllBytes(dir.resolve("index.json")))
                    .isEqualTo(load("skopeo-oci-layout-index.preserve-digests.json"));
        }
    }

    @Nested
    class Resolve {
        @Test
        void resolve_unknownTag_throwsNotFound() {
            pushAll(ref);

            assertThatThrownBy(() -> layout.resolve(ref.withTag("nope"))).isInstanceOf(NotFoundException.class);
        }

        @Test
        void resolve_noLayout_throwsNotFound() {
            assertThatThrownBy(() -> layout.resolve(ref)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void resolve_byDigest_findsTheEntry() {
            pushAll(ref);

            assertThat(layout.resolve(ref.withoutTag().withDigest(MANIFEST_DESC.digest()))).isEqualTo(MANIFEST_DESC);
        }

        @Test
        void resolve_layoutWrittenBySkopeo_isRead() throws IOException {
            Path blobs = dir.resolve("blobs/sha256");
            Files.createDirectories(blobs);
            for (byte[] b : new byte[][] {CONFIG, LAYER, MANIFEST}) {
                Files.write(blobs.resolve(Digest.sha256(b).hex()), b);
            }
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
            Files.write(dir.resolve("index.json"), OciJson.encodeIndex(dev.berth.oci.ImageIndex.of(
                    java.util.List.of(MANIFEST_DESC.withAnnotations(java.util.Map.of("org.opencontainers.image.ref.name", "1.1"))))));

            Descriptor m = layout.resolve(ref.withTag("1.1"));

            assertThat(m).isEqualTo(MANIFEST_DESC);
            assertThat(layout.fetcher(ref).fetchBytes(CONFIG_DESC, OciJson.MAX_CONFIG_BYTES)).isEqualTo(CONFIG);
        }
    }

    @Nested
    class Fetch {
        @Test
        void fetch_corruptedBlobOnDisk_throwsDigestMismatch() throws IOException {
            pushAll(ref);
            Path blob = dir.resolve("blobs/sha256/" + LAYER_DESC.digest().hex());
            byte[] bytes = Files.readAllBytes(blob);
            bytes[5] ^= 1;
            Files.write(blob, bytes);

            assertThatThrownBy(() -> {
                try (InputStream in = layout.fetcher(ref).fetch(LAYER_DESC)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(DigestMismatchException.class);
        }

        @Test
        void fetch_fromOffset_returnsTheRest() throws IOException {
            pushAll(ref);
            Digester prefix = Digester.sha256();
            prefix.update(LAYER, 0, 100);
            Fetcher f = layout.fetcher(ref);

            try (InputStream in = f.fetch(LAYER_DESC, prefix)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(LAYER, 100, LAYER.length));
            }
        }
    }

    @Nested
    class ParseLocation {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "oci:/tmp/x:1.0        | /tmp/x   | 1.0",
            "oci:/tmp/x            | /tmp/x   | ''",
            "oci:/tmp/a:b/c:latest | /tmp/a:b/c | latest",
            "oci:rel/dir:v2        | rel/dir  | v2",
        })
        void parse_location_splitsDirAndTag(String text, String path, String tag) {
            OciLayoutResolver.Location l = OciLayoutResolver.Location.parse(text, fs::getPath);

            assertThat(l.dir()).isEqualTo(fs.getPath(path));
            assertThat(l.tag()).isEqualTo(tag.isEmpty() ? Optional.empty() : Optional.of(tag));
        }

        @Test
        void parse_notOci_throws() {
            assertThatThrownBy(() -> OciLayoutResolver.Location.parse("docker://x", fs::getPath))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
