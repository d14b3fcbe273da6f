package dev.berth.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.PluginException;
import dev.berth.exception.PrivilegesNotGrantedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivilegesTest {
    private static PluginPrivilege p(String name, String... values) {
        return new PluginPrivilege(name, "", List.of(values));
    }

    @Nested
    class Of {
        @Test
        void of_everyKind_inDockersOrder() {
            PluginConfig config = PluginConfig.builder()
                    .linux(new PluginLinux(true, List.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN"), List.of(
                            new PluginDevice("", "fuse", "/dev/fuse", null),
                            new PluginDevice("", "nopath", null, List.of("path")))))
                    .mounts(List.of(
                            new PluginMount("", "/data", "data", null, null, "/var/lib/data", "bind"),
                            new PluginMount("", "/x", "nosource", null, null, null, "bind"),
                            new PluginMount("", "/y", "empty", null, null, "", "bind")))
                    .pidHost(true)
                    .ipcHost(true)
                    .network(new PluginNetwork("host"))
                    .build();

            assertThat(Privileges.of(config)).containsExactly(
                    new PluginPrivilege("network", "permissions to access a network", List.of("host")),
                    new PluginPrivilege("host ipc namespace", "allow access to host ipc namespace", List.of("true")),
                    new PluginPrivilege("host pid namespace", "allow access to host pid namespace", List.of("true")),
                    new PluginPrivilege("mount", "host path to mount", List.of("/var/lib/data")),
                    new PluginPrivilege("mount", "host path to mount", List.of("")),
                    new PluginPrivilege("device", "host device to access", List.of("/dev/fuse")),
                    new PluginPrivilege("allow-all-devices", "allow 'rwm' access to all devices", List.of("true")),
                    new PluginPrivilege("capabilities", "list of additional capabilities required",
                            List.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "bridge"})
        void of_defaultNetwork_noPrivilege(String type) {
            assertThat(Privileges.of(PluginConfig.builder().network(new PluginNetwork(type)).build())).isEmpty();
        }

        @Test
        void of_networkNone_isAPrivilege() {
            assertThat(Privileges.of(PluginConfig.builder().network(new PluginNetwork("none")).build()))
                    .extracting(PluginPrivilege::name).containsExactly("network");
        }

        @Test
        void of_emptyCapabilities_noPrivilege() {
            assertThat(Privileges.of(PluginConfig.builder().linux(new PluginLinux(false, List.of(), null)).build()))
                    .isEmpty();
        }
    }

    @Nested
    class Matches {
        private final List<PluginPrivilege> required = List.of(
                p("network", "host"), p("mount", "/a"), p("mount", "/b"), p("capabilities", "CAP_A", "CAP_B"));

        @Test
        void matches_sameListAnyOrderAndValueOrder_true() {
            List<PluginPrivilege> granted = new ArrayList<>(List.of(
                    p("capabilities", "CAP_B", "CAP_A"), p("mount", "/b"), p("network", "host"), p("mount", "/a")));
            assertThat(Privileges.matches(required, granted)).isTrue();
            Collections.reverse(granted);
            assertThat(Privileges.matches(required, granted)).isTrue();
        }

        @Test
        void matches_descriptionsIgnored() {
            assertThat(Privileges.matches(List.of(new PluginPrivilege("network", "x", List.of("host"))),
                    List.of(new PluginPrivilege("network", "y", List.of("host"))))).isTrue();
        }

        @Test
        void matches_differentLength_false() {
            assertThat(Privileges.matches(required, required.subList(0, 3))).isFalse();
            assertThat(Privileges.matches(List.of(), List.of(p("network", "host")))).isFalse();
        }

        @Test
        void matches_firstByNameDiffers_false() {
            // Docker sorts by name and never compares index 0: "capabilities" sorts first, so Docker
            // accepts a grant with different capabilities. Berth does not.
            List<PluginPrivilege> granted = List.of(
                    p("capabilities", "CAP_SYS_ADMIN"), p("mount", "/a"), p("mount", "/b"), p("network", "host"));
            assertThat(Privileges.matches(required, granted)).isFalse();
        }

        @Test
        void matches_secondByNameDiffers_false() {
            List<PluginPrivilege> granted = List.of(
                    p("capabilities", "CAP_A", "CAP_B"), p("mount", "/a"), p("mount", "/etc"), p("network", "host"));
            assertThat(Privileges.matches(required, granted)).isFalse();
        }

        @Test
        void matches_duplicateGrantedForDistinctRequired_false() {
            assertThat(Privileges.matches(List.of(p("mount", "/a"), p("mount", "/b")),
                    List.of(p("mount", "/a"), p("mount", "/a")))).isFalse();
        }

        @Test
        void matches_valueMovedBetweenEntries_false() {
            assertThat(Privileges.matches(List.of(p("capabilities", "A", "B"), p("device", "/dev/x")),
                    List.of(p("capabilities", "A", "/dev/x"), p("device", "B")))).isFalse();
        }

        @Test
        void requireGranted_mismatch_throwsNamingBothLists() {
            assertThatThrownBy(() -> Privileges.requireGranted(List.of(p("network", "host")), List.of()))
                    .isInstanceOfSatisfying(PrivilegesNotGrantedException.class, e -> {
                        assertThat(e.required()).containsExactly(p("network", "host"));
                        assertThat(e.granted()).isEmpty();
                        assertThat(e.category()).isEqualTo(PluginException.Category.INVALID_PARAMETER);
                    })
                    .hasMessageStartingWith("incorrect privileges")
                    .hasMessageContaining("network: [host]");
        }

        @Test
        void requireGranted_match_returns() {
            Privileges.requireGranted(required, required);
        }
    }
}
