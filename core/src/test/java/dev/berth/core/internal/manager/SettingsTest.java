package dev.berth.core.internal.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.InvalidParameterException;
import dev.berth.plugin.PluginArgs;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginLinux;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginSettings;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Docker's TestNewSettable, TestIsSettable and TestUpdateSettingsEnv, rewritten, and the fixes. */
class SettingsTest {
    @Nested
    class Parse {
        @ParameterizedTest
        @CsvSource(delimiter = '|', nullValues = "-", value = {
            "name=value        | name | -     | value",
            "name              | name | -     | ''",
            "name.field=value  | name | field | value",
            "name.field        | name | field | ''",
            "a.b.c=1           | a.b  | c     | 1",
            ".x=1              | .x   | -     | 1",
            "name.=v           | name | ''    | v",
            "k=a=b.c           | k    | -     | a=b.c",
        })
        void parse_table(String arg, String name, String field, String value) {
            Settings.Setting s = Settings.parse(arg);
            assertThat(s.name()).isEqualTo(name);
            assertThat(s.field()).isEqualTo(Optional.ofNullable(field));
            assertThat(s.value()).isEqualTo(value);
        }

        @ParameterizedTest
        @ValueSource(strings = {"=value", "="})
        void parse_emptyKey_rejected(String arg) {
            assertThatThrownBy(() -> Settings.parse(arg)).isInstanceOf(InvalidParameterException.class)
                    .hasMessageStartingWith("invalid format, must be <name>[.<field>][=<value>]");
        }
    }

    @Nested
    class IsSettable {
        private boolean settable(String arg, List<String> declared) {
            return Settings.isSettable(Settings.parse(arg), "value", declared);
        }

        @Test
        void isSettable_dockersTable() {
            assertThat(settable("x=1", List.of())).isFalse();
            assertThat(settable("x.value=1", List.of())).isFalse();
            assertThat(settable("x=1", List.of("value"))).isTrue();
            assertThat(settable("x.value=1", List.of("value"))).isTrue();
            assertThat(settable("x.foo=1", List.of("value"))).isFalse();
            assertThat(settable("x.foo=1", List.of("foo"))).isFalse();
            assertThat(settable("x=1", null)).isFalse();
            assertThatThrownBy(() -> settable("x=1", List.of("value1", "value2")))
                    .hasMessage("multiple fields are settable, one must be specified");
        }
    }

    @Nested
    class UpdateEnv {
        @Test
        void updateEnv_dockersCases() {
            assertThat(Settings.updateEnv(List.of(), "A", "1")).containsExactly("A=1");
            assertThat(Settings.updateEnv(List.of("A=0"), "A", "1")).containsExactly("A=1");
            assertThat(Settings.updateEnv(List.of("A=0"), "B", "1")).containsExactly("A=0", "B=1");
            assertThat(Settings.updateEnv(List.of("A=0", "B=0"), "B", "1")).containsExactly("A=0", "B=1");
            assertThat(Settings.updateEnv(List.of("A=0", "B=0", "C=0"), "B", "1")).containsExactly("A=0", "B=1", "C=0");
        }
    }

    @Nested
    class Apply {
        private final PluginConfig config = PluginConfig.builder()
                .env(List.of(new PluginEnv("", "DEBUG", List.of("value"), "0"), new PluginEnv("", "TOKEN", List.of("value"), null)))
                .mounts(List.of(new PluginMount("", "/m", "pmount1", null, List.of("source"), "/a", "bind"),
                        new PluginMount("", "/n", "nosrc", null, List.of("source"), null, "bind")))
                .linux(new PluginLinux(false, null, List.of(new PluginDevice("", "dev1", "/dev/a", List.of("path")),
                        new PluginDevice("", "nopath", null, List.of("path")))))
                .args(new PluginArgs("", "args", List.of("value"), List.of()))
                .build();
        private final PluginSettings settings = PluginSettings.initialFor(config);

        @Test
        void apply_mountAndDevice_changeConfigAndSettings() {
            Settings.Applied a = Settings.apply(config, settings, List.of("pmount1.source=bar", "dev1=/dev/b"));
            assertThat(a.config().mounts().get(0).source()).isEqualTo("bar");
            assertThat(a.settings().mounts().get(0).source()).isEqualTo("bar");
            assertThat(a.config().linux().devices().get(0).path()).isEqualTo("/dev/b");
            assertThat(a.settings().devices().get(0).path()).isEqualTo("/dev/b");
        }

        @Test
        void apply_nullEnvDefault_appends() {
            assertThat(Settings.apply(config, settings, List.of("TOKEN=t")).settings().env())
                    .containsExactly("DEBUG=0", "TOKEN=t");
        }

        @Test
        void apply_args_splitOnSingleSpaces() {
            assertThat(Settings.apply(config, settings, List.of("args=a  b")).settings().args()).containsExactly("a", "", "b");
            assertThat(Settings.apply(config, settings, List.of("args=")).settings().args()).containsExactly("");
        }

        @Test
        void apply_nullSourceOrPath_rejected() {
            assertThatThrownBy(() -> Settings.apply(config, settings, List.of("nosrc.source=x")))
                    .hasMessage("Plugin config has no mount source");
            assertThatThrownBy(() -> Settings.apply(config, settings, List.of("nopath=x")))
                    .hasMessage("Plugin config has no device path");
        }

        @Test
        void apply_laterFailure_changesNothing() {
            // Docker applies the first setting in memory and then fails; Berth returns or throws whole.
            assertThatThrownBy(() -> Settings.apply(config, settings, List.of("DEBUG=1", "missing=2")))
                    .hasMessage("setting \"missing\" not found in the plugin configuration");
            assertThat(settings.env()).containsExactly("DEBUG=0");
        }
    }
}
