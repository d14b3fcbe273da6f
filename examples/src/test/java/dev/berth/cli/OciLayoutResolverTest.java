package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.DigestMismatchException;
import dev.berth.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutResolverTest {
    @TempDir
    Path dir;

    OciLayoutResolver layout;

    @BeforeEach
    void setUp() {
        layout = new OciLayoutResolver(dir, Platform.of("linux", "amd64"));
    }

    private static Descriptor blob(String mediaType, byte[] bytes) {
        return Descriptor.of(mediaType, Digest.sha256(bytes), bytes.length);
    }

    private Descriptor pushManifest(String tag, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Descriptor d = blob(MediaTypes.DOCKER_MANIFEST_V2, bytes);
        layout.pusher(Reference.parse("example/p:" + tag)).push(d, BlobSource.of(bytes));
        return d;
    }

    @Nested
    class Push {
        @Test
        void push_blob_writesItByDigestWithTheLayoutFile() throws IOException {
            byte[] bytes = "layer".getBytes(StandardCharsets.UTF_8);
            Descriptor d = blob(MediaTypes.DOCKER_LAYER_GZIP, bytes);

            PushResult r = layout.pusher(Reference.parse("x:1")).push(d, BlobSource.of(bytes));

            assertThat(r.outcome()).isEqualTo(PushResult.Outcome.UPLOADED);
            assertThat(dir.resolve("blobs/sha256/" + d.digest().hex())).hasBinaryContent(bytes);
            assertThat(dir.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
            assertThat(dir.resolve("index.json")).doesNotExist();
        }

        @Test
        void push_sameBlobTwice_isAlreadyExists() {
            byte[] bytes = "layer".getBytes(StandardCharsets.UTF_8);
            Descriptor d = blob(MediaTypes.DOCKER_LAYER_GZIP, bytes);
            layout.pusher(Reference.parse("x:1")).push(d, BlobSource.of(bytes));

            assertThat(layout.pusher(Reference.parse("x:1")).push(d, BlobSource.of(bytes)).outcome())
                    .isEqualTo(PushResult.Outcome.ALREADY_EXISTS);
        }

        @Test
        void push_wrongBytes_failsAndLeavesNoBlob() throws IOException {
            Descriptor d = blob(MediaTypes.DOCKER_LAYER_GZIP, "right".getBytes(StandardCharsets.UTF_8));

            assertThatThrownBy(() -> layout.pusher(Reference.parse("x:1"))
                    .push(d, BlobSource.of("wrong".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(RuntimeException.class);
            try (var files = Files.list(dir.resolve("blobs/sha256"))) {
                assertThat(files).isEmpty();
            }
        }

        @Test
        void push_manifest_tagsItInTheIndexReplacingTheSameTag() throws IOException {
            pushManifest("1.0", "{\"first\":1}");
            Descriptor second = pushManifest("1.0", "{\"second\":2}");
            pushManifest("2.0", "{\"other\":3}");

            String index = Files.readString(dir.resolve("index.json"));
            assertThat(index).contains(second.digest().toString()).doesNotContain(Digest.sha256("{\"first\":1}").toString());
            assertThat(index.split("org.opencontainers.image.ref.name", -1)).hasSize(3);
        }
    }

    @Nested
    class Resolve {
        @Test
        void resolve_tag_findsTheManifestWhateverTheRepository() {
            Descriptor d = pushManifest("1.0", "{\"m\":1}");

            assertThat(layout.resolve(Reference.parse("other.example/any/repo:1.0"))).isEqualTo(d);
        }

        @Test
        void resolve_digest_findsTheEntry() {
            Descriptor d = pushManifest("1.0", "{\"m\":1}");

            assertThat(layout.resolve(Reference.parse("x@" + d.digest()))).isEqualTo(d);
        }

        @Test
        void resolve_unknownTag_isNotFound() {
            pushManifest("1.0", "{\"m\":1}");

            assertThatThrownBy(() -> layout.resolve(Reference.parse("x:9"))).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("9");
        }

        @Test
        void resolve_noLayout_isNotFound() {
            assertThatThrownBy(() -> layout.resolve(Reference.parse("x:1"))).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("index.json");
        }
    }

    @Nested
    class Fetch {
        @Test
        void fetch_tamperedBlob_failsVerification() throws IOException {
            byte[] bytes = "layer".getBytes(StandardCharsets.UTF_8);
            Descriptor d = blob(MediaTypes.DOCKER_LAYER_GZIP, bytes);
            layout.pusher(Reference.parse("x:1")).push(d, BlobSource.of(bytes));
            Files.writeString(dir.resolve("blobs/sha256/" + d.digest().hex()), "LAYER");

            assertThatThrownBy(() -> {
                try (InputStream in = layout.fetcher(Reference.parse("x:1")).fetch(d)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(DigestMismatchException.class);
        }

        @Test
        void fetch_missingBlob_isNotFound() {
            Descriptor d = blob(MediaTypes.DOCKER_LAYER_GZIP, "none".getBytes(StandardCharsets.UTF_8));

            assertThatThrownBy(() -> layout.fetcher(Reference.parse("x:1")).fetch(d)).isInstanceOf(NotFoundException.class);
        }
    }
}
