package dev.berth.core.internal.manager;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.PluginConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The attack catalog's CFG-06 to CFG-16 cases: refused at install and create, not first at enable. */
class ConfigValidatorTest {
    private static final String ENTRYPOINT = "\"entrypoint\":[\"/bin/p\"]";
    private static final String INTERFACE = "\"interface\":{\"socket\":\"p.sock\",\"types\":[\"docker.volumedriver/1.0\"]}";

    /** A valid config with the given members; a member named entrypoint or interface replaces the default. */
    private static PluginConfig config(String members) {
        StringBuilder json = new StringBuilder("{").append(members);
        if (!members.contains("\"entrypoint\"")) {
            json.append(members.isEmpty() ? "" : ",").append(ENTRYPOINT);
        }
        if (!members.contains("\"interface\"")) {
            json.append(",").append(INTERFACE);
        }
        json.append("}");
        return PluginJson.decodeConfig(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry-plugin-config.json", "tiny-plugin-config.json", "registry-plugin-1.1-config.json"})
    void validate_dockerMadeFixtures_accepted(String fixture) throws IOException {
        try (InputStream in = ConfigValidatorTest.class.getResourceAsStream("/fixtures/" + fixture)) {
            PluginConfig c = PluginJson.decodeConfig(in.readAllBytes());
            assertThatCode(() -> ConfigValidator.validate(c, 1)).doesNotThrowAnyException();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"network\":{\"type\":\"host\"}",
        "\"network\":{\"type\":\"none\"}",
        "\"workdir\":\"/srv\"",
        "\"propagatedMount\":\"/data\"",
        "\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\"],\"devices\":[{\"name\":\"f\",\"path\":\"/dev/fuse\"}]}",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/mnt\",\"source\":\"\",\"type\":\"bind\",\"options\":[\"rbind\",\"rshared\"]}]",
        "\"env\":[{\"name\":\"A\",\"value\":\"x y\"}]",
        "\"interface\":{\"socket\":\"p.sock\",\"types\":[\"evil/1.0\",\"acme.thing\"]}",
    })
    void validate_reasonableConfigs_accepted(String members) {
        assertThatCode(() -> ConfigValidator.validate(config(members), 0)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"interface\":{\"socket\":\"../../docker.sock\"}                          | socket",
        "\"interface\":{\"socket\":\"\"}                                           | socket",
        "\"interface\":{\"socket\":\"..\"}                                         | socket",
        "\"interface\":{\"socket\":\"a/b.sock\"}                                   | socket",
        "\"entrypoint\":[]                                                         | entrypoint",
        "\"entrypoint\":null                                                       | entrypoint",
        "\"workdir\":\"foo\"                                                       | workdir",
        "\"workdir\":\"/a/../..\"                                                  | workdir",
        "\"workdir\":\"/proc/self/fd/7\"                                           | workdir",
        "\"network\":{\"type\":\"HOST\"}                                           | network",
        "\"network\":{\"type\":\"container:x\"}                                    | network",
        "\"propagatedMount\":\"data\"                                              | propagatedMount",
        "\"propagatedMount\":\"/\"                                                 | propagatedMount",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"etc\",\"type\":\"bind\"}]       | destination",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/proc/sys\",\"type\":\"bind\"}] | /proc/sys",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/\",\"type\":\"bind\"}]         | cover",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/x\",\"type\":\"proc\"}]       | forbidden type",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/x\",\"type\":\"bind\",\"options\":[\"suid\"]}] | forbidden option",
        "\"mounts\":[{\"name\":\"a\",\"destination\":\"/x\",\"type\":\"bind\"},{\"name\":\"b\",\"destination\":\"/x\",\"type\":\"bind\"}] | repeats",
        "\"mounts\":[{\"name\":\"m\",\"destination\":\"/x\",\"source\":\"rel\",\"type\":\"bind\"}] | absolute host path",
        "\"linux\":{\"devices\":[{\"name\":\"d\",\"path\":\"/etc/passwd\"}]}         | under /dev",
        "\"linux\":{\"capabilities\":[\"ALL\"]}                                    | unknown capability",
        "\"linux\":{\"capabilities\":[\"cap_sys_admin\"]}                          | unknown capability",
        "\"env\":[{\"name\":\"A=B\"}]                                              | env name",
        "\"rootfs\":{\"type\":\"other\",\"diff_ids\":[]}                           | rootfs type",
    })
    void validate_hostileOrBrokenConfigs_refusedNamingTheProblem(String members, String problem) {
        assertThatThrownBy(() -> ConfigValidator.validate(config(members), 0))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageStartingWith("invalid plugin config: ")
                .hasMessageContaining(problem.strip());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void validate_diffIdCountDiffersFromLayers_refused(int layers) {
        assertThatThrownBy(() -> ConfigValidator.validate(config("\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                + "a".repeat(64) + "\"]}"), layers)).hasMessageContaining("diff_ids");
    }
}
