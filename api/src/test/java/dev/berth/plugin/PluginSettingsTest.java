package dev.berth.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PluginSettingsTest {
    @Test
    void initialFor_copiesMountsDevicesArgs_andEnvWithValuesOnly() {
        PluginMount mount = new PluginMount("", "/m", "m", null, List.of("source"), "/src", "bind");
        PluginDevice device = new PluginDevice("", "d", "/dev/fuse", null);
        PluginConfig config = PluginConfig.builder()
                .env(List.of(new PluginEnv("", "DEBUG", List.of("value"), "0"),
                        new PluginEnv("", "TOKEN", List.of("value"), null),
                        new PluginEnv("", "EMPTY", null, "")))
                .args(new PluginArgs("", "args", List.of("value"), List.of("-v", "--x")))
                .mounts(List.of(mount))
                .linux(new PluginLinux(false, null, List.of(device)))
                .build();

        PluginSettings s = PluginSettings.initialFor(config);

        assertThat(s.env()).containsExactly("DEBUG=0", "EMPTY=");
        assertThat(s.args()).containsExactly("-v", "--x");
        assertThat(s.mounts()).containsExactly(mount);
        assertThat(s.devices()).containsExactly(device);
    }

    @Test
    void initialFor_emptyConfig_givesEmptyNonNullLists() {
        PluginSettings s = PluginSettings.initialFor(PluginConfig.EMPTY);
        assertThat(s).isEqualTo(PluginSettings.EMPTY);
        assertThat(s.args()).isNotNull();
    }
}
