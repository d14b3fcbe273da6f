package dev.berth.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OciJsonTest {
    static byte[] fixture(String name) throws IOException {
        try (InputStream in = OciJsonTest.class.getResourceAsStream("/oci-fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static final String D1 = "sha256:" + "a".repeat(64);
    static final String D2 = "sha256:" + "b".repeat(64);

    static byte[] utf8(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    class EncodeManifest {
        @ParameterizedTest
        @ValueSource(strings = {"registry-plugin-manifest.docker-v2.json", "tiny-plugin-manifest.json",
                "registry-plugin-1.1-manifest.json", "skopeo-oci-converted-manifest.json"})
        void encodeManifest_decodedFixture_givesTheSameBytes(String name) throws IOException {
            byte[] bytes = fixture(name);
            Manifest m = OciJson.decodeManifest(bytes, "");

            assertThat(new String(OciJson.encodeManifest(m), StandardCharsets.UTF_8))
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }

        @Test
        void encodeManifest_dockerPluginBuiltFromParts_hasDockersDigest() throws IOException {
            Manifest m = Manifest.dockerPlugin(
                    Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.parse(
                            "sha256:9d41351b98b61953b2b277e843b64379f61414bbf586850c54566d276a90628d"), 763),
                    List.of(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.parse(
                            "sha256:144b4ad1bc174175d2d30609a18ca48b356912f7ac4ad3e4b383d2c3b26af79c"), 1430590)));

            assertThat(Digest.sha256(OciJson.encodeManifest(m))).isEqualTo(
                    Digest.sha256(fixture("registry-plugin-manifest.docker-v2.json")));
        }
    }

    @Nested
    class DecodeManifest {
        @Test
        void decodeManifest_dockerPlugin_readsConfigAndLayers() throws IOException {
            Manifest m = OciJson.decodeManifest(fixture("tiny-plugin-manifest.json"),
                    MediaTypes.DOCKER_MANIFEST_V2 + "; charset=utf-8");

            assertThat(m.isPlugin()).isTrue();
            assertThat(m.mediaType()).contains(MediaTypes.DOCKER_MANIFEST_V2);
            assertThat(m.config().size()).isEqualTo(562);
            assertThat(m.layers()).singleElement().extracting(Descriptor::size).isEqualTo(305L);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "no schemaVersion           | {'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "schemaVersion 1            | {'schemaVersion':1,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "schemaVersion 3            | {'schemaVersion':3,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "schemaVersion 2.5          | {'schemaVersion':2.5,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "schema1 media type         | {'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v1+prettyjws','config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "manifests and layers       | {'schemaVersion':2,'manifests':[],'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "index type, manifest body  | {'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}",
            "neither                    | {'schemaVersion':2}",
            "no config                  | {'schemaVersion':2,'layers':[]}",
            "duplicate layers key       | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[],'layers':[]}",
            "case-variant key           | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[],'Layers':[]}",
            "trailing data              | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':1},'layers':[]}x",
            "negative size              | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':-1},'layers':[]}",
            "fractional size            | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':1.5},'layers':[]}",
            "exponent size              | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':1e3},'layers':[]}",
            "huge size                  | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':9223372036854775808},'layers':[]}",
            "missing size               | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1'},'layers':[]}",
            "string size                | {'schemaVersion':2,'config':{'mediaType':'x','digest':'D1','size':'1'},'layers':[]}",
            "uppercase digest           | {'schemaVersion':2,'config':{'mediaType':'x','digest':'sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA','size':1},'layers':[]}",
            "path digest                | {'schemaVersion':2,'config':{'mediaType':'x','digest':'sha256:../../etc/passwd','size':1},'layers':[]}",
            "md5 digest                 | {'schemaVersion':2,'config':{'mediaType':'x','digest':'md5:d41d8cd98f00b204e9800998ecf8427e','size':1},'layers':[]}",
            "no media type              | {'schemaVersion':2,'config':{'digest':'D1','size':1},'layers':[]}",
        })
        void decodeManifest_invalidDocument_throwsManifest(String name, String json) {
            byte[] bytes = utf8(json.replace("D1", D1));

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, ""))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MANIFEST));
        }

        @Test
        void decodeManifest_contentTypeContradictsBody_throwsManifest() throws IOException {
            byte[] bytes = fixture("tiny-plugin-manifest.json");

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, MediaTypes.OCI_MANIFEST))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MANIFEST));
        }

        @Test
        void decodeManifest_indexContentTypeOnManifestWithoutMediaType_throwsManifest() {
            byte[] bytes = utf8("{'schemaVersion':2,'config':{'mediaType':'x','digest':'" + D1 + "','size':1},'layers':[]}");

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, MediaTypes.OCI_INDEX))
                    .isInstanceOf(RegistryException.class);
        }

        @Test
        void decodeManifest_tooManyLayers_throwsLimit() {
            String layer = "{'mediaType':'x','digest':'" + D1 + "','size':1}";
            byte[] bytes = utf8("{'schemaVersion':2,'config':" + layer + ",'layers':["
                    + String.join(",", java.util.Collections.nCopies(OciJson.MAX_LAYERS + 1, layer)) + "]}");

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, ""))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
        }

        @Test
        void decodeManifest_overFourMiB_throwsLimit() {
            byte[] bytes = new byte[OciJson.MAX_MANIFEST_BYTES + 1];
            java.util.Arrays.fill(bytes, (byte) ' ');

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, ""))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
        }

        @Test
        void decodeManifest_embeddedDataNotMatchingDigest_throwsDigestMismatch() {
            String data = Base64.getEncoder().encodeToString("x".getBytes(StandardCharsets.UTF_8));
            byte[] bytes = utf8("{'schemaVersion':2,'config':{'mediaType':'x','digest':'" + D1
                    + "','size':1,'data':'" + data + "'},'layers':[]}");

            assertThatThrownBy(() -> OciJson.decodeManifest(bytes, "")).isInstanceOf(DigestMismatchException.class);
        }
    }

    @Nested
    class Index {
        @Test
        void decodeIndex_skopeoLayout_readsRefName() throws IOException {
            byte[] bytes = fixture("skopeo-oci-layout-index.preserve-digests.json");

            ImageIndex index = OciJson.decodeIndex(bytes, "");

            assertThat(index.mediaType()).isEmpty();
            assertThat(index.manifests()).singleElement()
                    .satisfies(d -> assertThat(d.annotations()).containsEntry(ImageIndex.REF_NAME, "1.1"));
            assertThat(OciJson.encodeIndex(index)).isEqualTo(bytes);
        }

        @Test
        void select_twoMatchingEntries_returnsFirst() {
            Descriptor amd = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(D1), 1)
                    .withPlatform(Platform.of("linux", "amd64"));
            Descriptor amd2 = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(D2), 1)
                    .withPlatform(Platform.of("linux", "amd64"));
            Descriptor arm = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(D2), 1)
                    .withPlatform(Platform.of("linux", "arm64", "v8"));
            ImageIndex index = new ImageIndex(2, Optional.of(MediaTypes.OCI_INDEX), List.of(arm, amd, amd2), Map.of());

            byte[] bytes = OciJson.encodeIndex(index);
            ImageIndex decoded = OciJson.decodeIndex(bytes, MediaTypes.OCI_INDEX);

            assertThat(decoded).isEqualTo(index);
            assertThat(decoded.select(Platform.of("linux", "amd64"))).contains(amd);
            assertThat(decoded.select(Platform.of("linux", "s390x"))).isEmpty();
        }

        @Test
        void kind_indexBody_isIndex() {
            byte[] bytes = utf8("{'schemaVersion':2,'manifests':[]}");

            assertThat(OciJson.kind(bytes, "")).isEqualTo(OciJson.Kind.INDEX);
            assertThatThrownBy(() -> OciJson.kind(bytes, MediaTypes.DOCKER_MANIFEST_V2)).isInstanceOf(RegistryException.class);
        }
    }
}
