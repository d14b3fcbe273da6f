package dev.berth.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapabilityTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "docker.volumedriver/1.0 | docker   | volumedriver | 1.0",
        "docker.a.b/1.0          | docker.a | b            | 1.0",
        "docker.volumedriver     | docker   | volumedriver | ''",
        // Docker v20-v28 gives capability "olumedriver" here; Berth keeps the whole name.
        "volumedriver/1.0        | ''       | volumedriver | 1.0",
        "a/b.c/d                 | ''       | a            | b.c/d",
        "docker.authz/1.1        | docker   | authz        | 1.1",
        ".x/                     | ''       | x            | ''",
    })
    void parse_table(String text, String prefix, String capability, String version) {
        assertThat(Capability.parse(text)).isEqualTo(new Capability(prefix, capability, version));
    }

    @Test
    void toString_alwaysBothSeparators() {
        assertThat(Capability.parse("docker.volumedriver/1.0").toString()).isEqualTo("docker.volumedriver/1.0");
        assertThat(Capability.parse("docker.volumedriver").toString()).isEqualTo("docker.volumedriver/");
        assertThat(new Capability("", "x", "").toString()).isEqualTo(".x/");
    }

    @Test
    void provides_matchesDockerPrefixAndLowerCasedCapability_ignoresVersion() {
        Capability type = Capability.parse("docker.volumedriver/1.1");
        assertThat(type.provides("VolumeDriver")).isTrue();
        assertThat(type.provides("networkdriver")).isFalse();
        assertThat(Capability.parse("acme.volumedriver/1.0").provides("volumedriver")).isFalse();
    }

    @Test
    void docker_buildsHandlerKey() {
        assertThat(Capability.docker("VolumeDriver").toString()).isEqualTo("docker.volumedriver/1.0");
    }

    @Test
    void parse_empty_rejected() {
        assertThatThrownBy(() -> Capability.parse("")).isInstanceOf(InvalidInputException.class);
    }
}
