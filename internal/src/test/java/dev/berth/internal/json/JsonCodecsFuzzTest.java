package dev.berth.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.remote.RegistryException;
import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.plugin.PluginConfig;
import java.util.List;

/**
 * Fuzzes the decoders of registry and plugin JSON. Invariant for every input: either the documented
 * typed error ({@link RegistryException}, {@link DigestMismatchException} for embedded data that does not
 * match its descriptor, or {@link JsonException} for manifests and indexes,
 * {@link JsonException} for plugin configs) or a value that encodes, decodes back to an equal value and
 * encodes again to the same bytes. Any other exception type is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} JUnit runs each method once per seed in
 * {@code src/test/resources/dev/berth/internal/json/JsonCodecsFuzzTestInputs/<method>/}.
 */
class JsonCodecsFuzzTest {
    /** The declared types a registry may send, and none: each input is decoded under all of them. */
    private static final List<String> DECLARED = List.of("", MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST_V2,
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST_V2 + "; charset=utf-8");

    @FuzzTest(maxDuration = "60s")
    void decodeManifest(byte[] body) {
        for (String declared : DECLARED) {
            Manifest m;
            try {
                m = OciJson.decodeManifest(body, declared);
            } catch (RegistryException | DigestMismatchException | JsonException expected) {
                continue;
            }
            byte[] encoded = OciJson.encodeManifest(m);
            Manifest again = OciJson.decodeManifest(encoded, m.mediaType().orElse(""));
            assertThat(again).as("round trip of %s", new String(encoded, java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(m);
            assertThat(OciJson.encodeManifest(again)).isEqualTo(encoded);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decodeIndex(byte[] body) {
        for (String declared : DECLARED) {
            ImageIndex index;
            try {
                index = OciJson.decodeIndex(body, declared);
            } catch (RegistryException | DigestMismatchException | JsonException expected) {
                continue;
            }
            byte[] encoded = OciJson.encodeIndex(index);
            ImageIndex again = OciJson.decodeIndex(encoded, index.mediaType().orElse(""));
            assertThat(again).as("round trip of %s", new String(encoded, java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(index);
            assertThat(OciJson.encodeIndex(again)).isEqualTo(encoded);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decodeConfig(byte[] body) {
        PluginConfig config;
        try {
            config = PluginJson.decodeConfig(body);
        } catch (JsonException expected) {
            return;
        }
        byte[] encoded = PluginJson.encodeConfigBlob(config);
        PluginConfig again = PluginJson.decodeConfig(encoded);
        assertThat(again).as("round trip of %s", new String(encoded, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(config);
        assertThat(PluginJson.encodeConfigBlob(again)).isEqualTo(encoded);
    }
}
