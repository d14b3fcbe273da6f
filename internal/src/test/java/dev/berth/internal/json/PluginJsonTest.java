package dev.berth.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.oci.Digest;
import dev.berth.plugin.Capability;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden tests: Berth reads what Docker wrote and writes back the same bytes. */
class PluginJsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<String> configBlobs() {
        return Stream.of("registry-plugin-config.json", "registry-plugin-1.1-config.json", "tiny-plugin-config.json",
                "dockerd-content-store-config.after-create.json");
    }

    static Stream<String> records() {
        return Stream.of("dockerd-plugin-dir-config.after-create.json", "dockerd-plugin-dir-config.after-install.json");
    }

    static Stream<String> inspectOutputs() {
        return Stream.of("docker-plugin-inspect.after-create.json", "docker-plugin-inspect.after-install.json",
                "docker-plugin-inspect.enabled.json");
    }

    static Stream<String> allFixtures() {
        return Stream.of("docker-plugin-inspect.after-create.json", "docker-plugin-inspect.after-install.json",
                "docker-plugin-inspect.enabled.json", "dockerd-content-store-config.after-create.json",
                "dockerd-content-store-manifest.after-create.json", "dockerd-plugin-dir-config.after-create.json",
                "dockerd-plugin-dir-config.after-install.json", "dockerd-plugin-oci-runtime-spec.json",
                "plugin-create-input-config.json", "registry-plugin-1.1-config.json", "registry-plugin-1.1-manifest.json",
                "registry-plugin-config.json", "registry-plugin-manifest.docker-v2.json", "skopeo-inspect-plugin.json",
                "skopeo-oci-converted-config.json", "skopeo-oci-converted-manifest.json",
                "skopeo-oci-layout-index.converted.json", "skopeo-oci-layout-index.preserve-digests.json",
                "tiny-plugin-config.json", "tiny-plugin-manifest.json");
    }

    @Nested
    class ConfigBlob {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.internal.json.PluginJsonTest#configBlobs")
        void encodeConfigBlob_ofDecodedFixture_isByteIdentical(String fixture) {
            byte[] bytes = Fixtures.bytes(fixture);
            PluginConfig config = PluginJson.decodeConfig(bytes);

            assertThat(new String(PluginJson.encodeConfigBlob(config), StandardCharsets.UTF_8))
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
            assertThat(Digest.sha256(PluginJson.encodeConfigBlob(config))).isEqualTo(Digest.sha256(bytes));
            assertThat(PluginJson.decodeConfig(PluginJson.encodeConfigBlob(config))).isEqualTo(config);
        }

        @Test
        void encodeConfigBlob_userWithBothIds_writesThemInGosFieldOrder() {
            // types.PluginConfigUser declares GID before UID; json.Marshal follows the declaration
            byte[] docker = Fixtures.bytes("registry-plugin-config.json");
            String withUser = new String(docker, StandardCharsets.UTF_8).replace("\"User\":{}",
                    "\"User\":{\"GID\":2000,\"UID\":1000}");
            assertThat(withUser).contains("\"GID\":2000");

            PluginConfig config = PluginJson.decodeConfig(withUser.getBytes(StandardCharsets.UTF_8));

            assertThat(new String(PluginJson.encodeConfigBlob(config), StandardCharsets.UTF_8)).isEqualTo(withUser);
        }

        @Test
        void decodeConfig_registryFixture_hasDockersValues() {
            PluginConfig c = PluginJson.decodeConfig(Fixtures.bytes("registry-plugin-config.json"));
            assertThat(c.description()).isEqualTo("test volume plugin (handshake)");
            assertThat(c.entrypoint()).containsExactly("/bin/handshake", "/run/docker/plugins/myplugin.sock");
            assertThat(c.pluginInterface().socket()).isEqualTo("myplugin.sock");
            assertThat(c.pluginInterface().types()).containsExactly(new Capability("docker", "volumedriver", "1.0"));
            assertThat(c.linux().capabilities()).containsExactly("CAP_SYS_ADMIN");
            assertThat(c.linux().devices()).isNull();
            assertThat(c.mounts()).isNull();
            assertThat(c.args().value()).isEmpty();
            assertThat(c.args().value()).isNotNull();
            assertThat(c.env().get(0).value()).isEqualTo("0");
            assertThat(c.propagatedMount()).isEqualTo("/data");
            assertThat(c.rootfs()).hasValueSatisfying(r -> assertThat(r.type()).isEqualTo("layers"));
        }

        @Test
        void decodeConfig_lowerCaseCreateInput_equalsCapitalizedForm() {
            PluginConfig lower = PluginJson.decodeConfig(Fixtures.bytes("plugin-create-input-config.json"));
            PluginConfig docker = PluginJson.decodeConfig(Fixtures.bytes("registry-plugin-config.json"));

            assertThat(lower).isEqualTo(docker.toBuilder().dockerVersion("").noRootfs().build());
        }

        @Test
        void decodeConfig_keysInAnyCase_decodeTheSame() {
            byte[] bytes = Fixtures.bytes("registry-plugin-config.json");
            Object upper = upperCaseKeys(Json.parse(bytes));
            byte[] shouted = utf8(new GoJsonWriter().tree(upper).toString());

            assertThat(PluginJson.decodeConfig(shouted)).isEqualTo(PluginJson.decodeConfig(bytes));
        }

        @Test
        void decodeConfig_unknownKeys_ignored() {
            PluginConfig c = PluginJson.decodeConfig(utf8("{\"Description\":\"d\",\"Future\":{\"x\":[1]},\"z\":null}"));
            assertThat(c).isEqualTo(PluginConfig.builder().description("d").build());
        }

        @Test
        void decodeConfig_caseVariantDuplicate_rejected() {
            // Two parsers resolving this differently could disagree on the privileges: refuse it.
            String json = "{\"Linux\":{\"Capabilities\":[]},\"linux\":{\"Capabilities\":[\"CAP_SYS_ADMIN\"]}}";
            assertThatThrownBy(() -> PluginJson.decodeConfig(utf8(json))).isInstanceOf(JsonException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"Interface\":{\"Types\":[1]}}", "{\"Interface\":{\"Types\":[{}]}}"})
        void decodeConfig_nonStringType_rejected(String json) {
            assertThatThrownBy(() -> PluginJson.decodeConfig(utf8(json)))
                    .isInstanceOf(JsonException.class).hasMessageContaining("is not a plugin interface type");
        }

        @Test
        void decodeConfig_emptyInterfaceType_rejectedAsJsonException() {
            // Found by JsonCodecsFuzzTest: Capability.parse's InvalidInputException escaped the
            // documented JsonException.
            String json = "{\"Interface\":{\"Socket\":\"p.sock\",\"Types\":[\"docker.volumedriver/1.0\",\"\"]}}";
            assertThatThrownBy(() -> PluginJson.decodeConfig(utf8(json)))
                    .isExactlyInstanceOf(JsonException.class).hasMessageContaining("is not a plugin interface type");
        }

        @Test
        void decodeConfig_trailingData_rejected() {
            assertThatThrownBy(() -> PluginJson.decodeConfig(utf8("{}{}"))).isInstanceOf(JsonException.class);
        }

        @Test
        void encodeConfig_emptyConfig_matchesGoZeroValue() {
            assertThat(PluginJson.encodeConfig(PluginConfig.EMPTY)).isEqualTo(
                    "{\"Args\":{\"Description\":\"\",\"Name\":\"\",\"Settable\":null,\"Value\":null},"
                            + "\"Description\":\"\",\"Documentation\":\"\",\"Entrypoint\":null,\"Env\":null,"
                            + "\"Interface\":{\"Socket\":\"\",\"Types\":null},\"IpcHost\":false,"
                            + "\"Linux\":{\"AllowAllDevices\":false,\"Capabilities\":null,\"Devices\":null},"
                            + "\"Mounts\":null,\"Network\":{\"Type\":\"\"},\"PidHost\":false,\"PropagatedMount\":\"\","
                            + "\"User\":{},\"WorkDir\":\"\"}");
        }

        @Test
        void encodeConfig_nullSourceAndUserIds_keptAsDocker() {
            PluginConfig c = PluginConfig.builder()
                    .mounts(List.of(new PluginMount("", "/m", "m", null, List.of("source"), null, "bind")))
                    .user(new dev.berth.plugin.PluginUser(1000, 0))
                    .build();
            String json = PluginJson.encodeConfig(c);
            assertThat(json).contains("\"Mounts\":[{\"Description\":\"\",\"Destination\":\"/m\",\"Name\":\"m\","
                    + "\"Options\":null,\"Settable\":[\"source\"],\"Source\":null,\"Type\":\"bind\"}]");
            assertThat(json).contains("\"User\":{\"UID\":1000}");
            assertThat(PluginJson.decodeConfig(utf8(json))).isEqualTo(c);
        }
    }

    @Nested
    class Record {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.internal.json.PluginJsonTest#records")
        void encodeRecord_ofDecodedFixture_isByteIdentical(String fixture) {
            byte[] bytes = Fixtures.bytes(fixture);
            PluginRecord record = PluginJson.decodeRecord(bytes);

            assertThat(new String(PluginJson.encodeRecord(record), StandardCharsets.UTF_8))
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }

        @Test
        void decodeRecord_afterInstall_keepsNullBlobsumsAndDigests() {
            PluginRecord r = PluginJson.decodeRecord(Fixtures.bytes("dockerd-plugin-dir-config.after-install.json"));
            assertThat(r.blobsums()).isNull();
            assertThat(r.config()).contains(Digest.parse(
                    "sha256:9d41351b98b61953b2b277e843b64379f61414bbf586850c54566d276a90628d"));
            assertThat(r.plugin().name()).isEqualTo("localhost:5000/test/myplugin:1.0");
            assertThat(r.plugin().settings().env()).containsExactly("DEBUG=0");
            assertThat(r.plugin().settings().mounts()).isEmpty();
        }

        @Test
        void decodeRecord_badDigest_rejected() {
            String json = "{\"plugin\":{},\"Config\":\"sha256:nothex\"}";
            assertThatThrownBy(() -> PluginJson.decodeRecord(utf8(json))).isInstanceOf(JsonException.class)
                    .hasMessageContaining("Config");
        }

        @Test
        void decodeRecord_badId_rejected() {
            String json = "{\"plugin\":{\"Id\":\"../../etc\"}}";
            assertThatThrownBy(() -> PluginJson.decodeRecord(utf8(json))).isInstanceOf(JsonException.class);
        }
    }

    @Nested
    class Inspect {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.internal.json.PluginJsonTest#inspectOutputs")
        void encodePlugins_ofDecodedInspect_equalsDockerSemantically(String fixture) {
            Object docker = Json.parse(Fixtures.bytes(fixture));
            List<Plugin> plugins = new ArrayList<>();
            for (Object element : (List<?>) docker) {
                plugins.add(PluginJson.plugin((JsonObject) element));
            }

            Object berth = Json.parse(utf8(PluginJson.encodePlugins(plugins)));

            assertThat(berth).isEqualTo(docker);
        }

        @Test
        void settings_initialFor_matchesWhatDockerStored() {
            Object docker = Json.parse(Fixtures.bytes("docker-plugin-inspect.after-install.json"));
            Plugin p = PluginJson.plugin((JsonObject) ((List<?>) docker).get(0));
            assertThat(PluginSettings.initialFor(p.config())).isEqualTo(p.settings());
        }
    }

    @Nested
    class Privileges {
        @Test
        void privileges_roundTrip_engineApiShape() {
            List<PluginPrivilege> list = List.of(
                    new PluginPrivilege("network", "permissions to access a network", List.of("host")),
                    new PluginPrivilege("capabilities", "list of additional capabilities required",
                            List.of("CAP_SYS_ADMIN")));
            String json = PluginJson.encodePrivileges(list);
            assertThat(json).isEqualTo("[{\"Name\":\"network\",\"Description\":\"permissions to access a network\","
                    + "\"Value\":[\"host\"]},{\"Name\":\"capabilities\",\"Description\":"
                    + "\"list of additional capabilities required\",\"Value\":[\"CAP_SYS_ADMIN\"]}]");
            assertThat(PluginJson.decodePrivileges(utf8(json))).isEqualTo(list);
            assertThat(PluginJson.decodePrivileges(utf8("null"))).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allFixtures")
    void everyFixture_readWriteRead_isEqual(String fixture) {
        byte[] bytes = Fixtures.bytes(fixture);
        Object tree = Json.parse(bytes);
        String written = new GoJsonWriter().tree(tree).toString();

        assertThat(Json.parse(utf8(written))).isEqualTo(tree);
        String original = new String(bytes, StandardCharsets.UTF_8).strip();
        if (!original.contains("\n")) {
            // Compact documents written by Go come back byte for byte.
            assertThat(written).isEqualTo(original);
        }
    }

    private static Object upperCaseKeys(Object node) {
        if (node instanceof JsonObject o) {
            JsonObject out = new JsonObject();
            o.entries().forEach((k, v) -> out.put(k.toUpperCase(Locale.ROOT), upperCaseKeys(v)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(PluginJsonTest::upperCaseKeys).toList();
        }
        return node;
    }
}
