package dev.berth.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginLinux;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginNetwork;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.DeviceResolver;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PluginSpecGeneratorTest {
    private static final String ID = "1e4f3e225c9a0af5f33ce76224a910b811d66f025c5537c5d689e7ca5211b1f5";
    private static final Path PLUGIN_DIR = Path.of("/tmp/berth-work/dk/root/plugins", ID);
    private static final SpecPaths DOCKERD_PATHS =
            SpecPaths.dockerLayout(PLUGIN_DIR.resolve("rootfs"), Path.of("/run/docker/plugins", ID));

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PluginSpecGeneratorTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static PluginConfig fixtureConfig() throws IOException {
        return PluginJson.decodeConfig(resource("registry-plugin-config.json"));
    }

    private static RuntimeSpec generate(PluginConfig config) {
        return PluginSpecGenerator.generate(config, PluginSettings.initialFor(config), DOCKERD_PATHS);
    }

    private static PluginConfig minimal() {
        return PluginConfig.builder().entrypoint(List.of("/bin/p")).build();
    }

    @Nested
    class Golden {
        @Test
        void generate_dockerdFixtureConfig_writesDockerdsBytes() throws IOException {
            String expected = new String(resource("dockerd-plugin-oci-runtime-spec.json"), StandardCharsets.UTF_8).strip();

            String actual = new String(generate(fixtureConfig()).toJson(), StandardCharsets.UTF_8);

            assertThat(actual).isEqualTo(expected);
        }
    }

    @Nested
    class Namespaces {
        @ParameterizedTest
        @CsvSource({
            "'',    false, false, mount network uts pid ipc",
            "host,  false, false, mount uts pid ipc",
            "bridge,false, false, mount network uts pid ipc",
            "'',    true,  false, mount network uts ipc",
            "'',    false, true,  mount network uts pid",
            "host,  true,  true,  mount uts",
        })
        void generate_networkPidIpc_dropsOnlyRequestedNamespaces(String network, boolean pidHost, boolean ipcHost,
                                                                  String expected) {
            PluginConfig config = minimal().toBuilder().network(new PluginNetwork(network))
                    .pidHost(pidHost).ipcHost(ipcHost).build();

            assertThat(generate(config).namespaces()).containsExactly(expected.split(" "));
        }

        @Test
        void generate_anyNetworkType_bindsHostsAndResolvConfReadOnly() {
            RuntimeSpec spec = generate(minimal().toBuilder().network(new PluginNetwork("bridge")).build());

            assertThat(spec.mounts()).contains(
                    new RuntimeSpec.Mount("/etc/hosts", "bind", "/etc/hosts", List.of("rbind", "ro")),
                    new RuntimeSpec.Mount("/etc/resolv.conf", "bind", "/etc/resolv.conf", List.of("rbind", "ro")));
        }

        @Test
        void generate_emptyNetworkType_hasNoHostFiles() {
            assertThat(generate(minimal()).mounts()).extracting(RuntimeSpec.Mount::destination)
                    .doesNotContain("/etc/hosts", "/etc/resolv.conf");
        }
    }

    @Nested
    class Mounts {
        @Test
        void generate_settingsMountSource_usesTheSetSourceNotTheConfigs() {
            PluginMount declared = new PluginMount("", "/state", "state", List.of("rbind"), List.of("source"),
                    "/var/lib/declared", "bind");
            PluginConfig config = minimal().toBuilder().mounts(List.of(declared)).build();
            PluginSettings settings = PluginSettings.initialFor(config)
                    .withMounts(List.of(declared.withSource("/srv/chosen")));

            RuntimeSpec spec = PluginSpecGenerator.generate(config, settings, DOCKERD_PATHS);

            assertThat(spec.mounts()).contains(new RuntimeSpec.Mount("/state", "bind", "/srv/chosen", List.of("rbind")))
                    .extracting(RuntimeSpec.Mount::source).doesNotContain("/var/lib/declared");
        }

        @Test
        void generate_mountWithoutSource_isRefused() {
            PluginMount noSource = new PluginMount("", "/state", "state", null, null, null, "bind");
            PluginConfig config = minimal().toBuilder().mounts(List.of(noSource)).build();

            assertThatThrownBy(() -> generate(config))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("mount source is not specified");
        }

        @Test
        void generate_pluginMountOnDevShm_replacesOnlyTheDefault() {
            PluginMount shm = new PluginMount("", "/dev/shm", "shm", List.of("rbind"), null, "/host/shm", "bind");
            PluginConfig config = minimal().toBuilder().propagatedMount("/data").mounts(List.of(shm)).build();

            RuntimeSpec spec = generate(config);

            assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/dev/shm"))
                    .containsExactly(new RuntimeSpec.Mount("/dev/shm", "bind", "/host/shm", List.of("rbind")));
            assertThat(spec.mounts()).extracting(RuntimeSpec.Mount::destination)
                    .containsSubsequence("/dev/mqueue", "/data", "/dev/shm", "/run/docker/plugins");
        }

        @Test
        void generate_noPropagatedMount_hasNoRootfsPropagation() {
            RuntimeSpec spec = generate(minimal());

            assertThat(spec.rootfsPropagation()).isEmpty();
            assertThat(new String(spec.toJson(), StandardCharsets.UTF_8)).doesNotContain("rootfsPropagation");
        }
    }

    @Nested
    class Process {
        @Test
        void generate_entrypointAndSettingsArgs_areConcatenated() {
            PluginConfig config = minimal().toBuilder().workDir("/work").build();
            PluginSettings settings = PluginSettings.initialFor(config).withArgs(List.of("-v", "x"))
                    .withEnv(List.of("A=1", "B=2"));

            RuntimeSpec spec = PluginSpecGenerator.generate(config, settings, DOCKERD_PATHS);

            assertThat(spec.args()).containsExactly("/bin/p", "-v", "x");
            assertThat(spec.env()).containsExactly(PluginSpecGenerator.DEFAULT_PATH, "A=1", "B=2");
            assertThat(spec.cwd()).isEqualTo("/work");
        }

        @Test
        void generate_nothingToRun_isRefused() {
            assertThatThrownBy(() -> generate(PluginConfig.EMPTY)).isInstanceOf(InvalidParameterException.class);
        }

        @Test
        void generate_requestedCapabilities_appendedOnceToEverySet() {
            PluginConfig config = minimal().toBuilder()
                    .linux(new PluginLinux(false, List.of("CAP_SYS_ADMIN", "CAP_CHOWN"), null)).build();

            RuntimeSpec.Capabilities caps = generate(config).capabilities();

            assertThat(caps.bounding()).endsWith("CAP_SYS_ADMIN").doesNotHaveDuplicates()
                    .hasSize(PluginSpecGenerator.DEFAULT_CAPABILITIES.size() + 1);
            assertThat(caps.effective()).isEqualTo(caps.bounding()).isEqualTo(caps.permitted());
            assertThat(caps.inheritable()).containsExactly("CAP_SYS_ADMIN", "CAP_CHOWN");
        }

        @Test
        void generate_noCapabilities_omitsTheInheritableSet() {
            RuntimeSpec spec = generate(minimal());

            assertThat(spec.capabilities().inheritable()).isEmpty();
            assertThat(new String(spec.toJson(), StandardCharsets.UTF_8)).doesNotContain("inheritable");
        }
    }

    @Nested
    class Devices {
        private final RuntimeSpec.Device fuse = new RuntimeSpec.Device("/dev/fuse", "c", 10, 229, 0666, 0, 0);

        @Test
        void generate_settingsDevice_addsNodeAndAllowRule() {
            PluginDevice device = new PluginDevice("", "fuse", "/dev/fuse", null);
            PluginConfig config = minimal().toBuilder().linux(new PluginLinux(false, null, List.of(device))).build();

            RuntimeSpec spec = PluginSpecGenerator.generate(config, PluginSettings.initialFor(config), DOCKERD_PATHS,
                    path -> List.of(fuse));

            assertThat(spec.devices()).containsExactly(fuse);
            assertThat(spec.deviceRules()).last().isEqualTo(RuntimeSpec.DeviceRule.of(true, "c", 10, 229, "rwm"));
            assertThat(new String(spec.toJson(), StandardCharsets.UTF_8)).contains(
                    "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":438,\"uid\":0,\"gid\":0}]");
        }

        @Test
        void generate_deviceWithoutPath_isRefused() {
            PluginDevice device = new PluginDevice("", "fuse", null, null);
            PluginConfig config = minimal().toBuilder().linux(new PluginLinux(false, null, List.of(device))).build();

            assertThatThrownBy(() -> generate(config)).isInstanceOf(InvalidParameterException.class)
                    .hasMessageContaining("fuse");
        }

        @Test
        void generate_allowAllDevices_replacesTheRulesWithOneAllowAll() {
            PluginConfig config = minimal().toBuilder().linux(new PluginLinux(true, null, null)).build();

            assertThat(generate(config).deviceRules()).containsExactly(
                    new RuntimeSpec.DeviceRule(true, "", OptionalLong.empty(), OptionalLong.empty(), "rwm"));
        }

        @Test
        void hostResolver_devNull_findsCharacterDevice1_3() {
            assertThat(DeviceResolver.host().resolve("/dev/null"))
                    .singleElement().satisfies(d -> {
                        assertThat(d.type()).isEqualTo("c");
                        assertThat(d.major()).isEqualTo(1);
                        assertThat(d.minor()).isEqualTo(3);
                    });
        }

        @Test
        void hostResolver_regularFile_isRefused() {
            assertThatThrownBy(() -> DeviceResolver.host().resolve("/etc/hostname"))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("not a device node");
        }
    }
}
