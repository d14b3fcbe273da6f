package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.client.AuthzClient;
import dev.berth.client.IpamDriverClient;
import dev.berth.client.LogDriverClient;
import dev.berth.client.NetworkDriverClient;
import dev.berth.client.PluginCallException;
import dev.berth.client.PluginClient;
import dev.berth.client.Volume;
import dev.berth.client.VolumeDriverClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The typed host clients against a plugin that implements every driver API: the testkit's in-process
 * {@code FakeDriverPlugin} and the real C test plugin run by runc answer alike, so one contract runs on
 * both. Each test starts from a freshly enabled plugin.
 */
abstract class HostDriversContract {
    /** A client of the freshly enabled plugin. */
    abstract PluginClient client();

    /** What the plugin's activation reported. */
    abstract List<String> implemented();

    @Test
    void activate_enabledPlugin_implementsEveryDriverApi() {
        assertThat(implemented()).containsExactlyInAnyOrder("VolumeDriver", "NetworkDriver", "IpamDriver", "authz",
                "LogDriver");
        assertThat(client().activate()).isEqualTo(implemented());
    }

    @Nested
    class Volumes {
        @Test
        void volume_createListRemove_roundTrips() {
            VolumeDriverClient v = client().volumeDriver();
            v.create("v1", Map.of("size", "1G"));
            assertThat(v.list()).containsExactly(new Volume("v1", "/data/v1", ""));
            assertThat(v.path("v1")).isEqualTo("/data/v1");
            v.remove("v1");
            assertThat(v.list()).isEmpty();
            assertThatThrownBy(() -> v.remove("v1")).isInstanceOf(PluginCallException.class)
                    .hasMessage("VolumeDriver.Remove: no such volume");
        }
    }

    @Nested
    class Networks {
        @Test
        void network_createEndpointJoinLeaveDelete_roundTrips() {
            NetworkDriverClient n = client().networkDriver();
            assertThat(n.capabilities()).isEqualTo(new NetworkDriverClient.Capabilities("local", "local"));
            n.createNetwork("net1", Map.of("com.docker.network.enable_ipv6", "false"),
                    List.of(new NetworkDriverClient.IpamData("local", "10.1.0.0/16", "10.1.0.1/16", Map.of())), List.of());

            Optional<NetworkDriverClient.EndpointInterface> iface = n.createEndpoint("net1", "ep1",
                    Optional.of(new NetworkDriverClient.EndpointInterface("10.1.0.2/16", "", "")), Map.of());
            assertThat(iface).contains(new NetworkDriverClient.EndpointInterface("", "", "02:42:ac:11:00:02"));
            assertThat(n.endpointInfo("net1", "ep1")).isEqualTo(Map.of("state", "up"));

            NetworkDriverClient.JoinResult join = n.join("net1", "ep1", "/var/run/docker/netns/abc", Map.of());
            assertThat(join).isEqualTo(new NetworkDriverClient.JoinResult("veth0", "eth", "10.1.0.1", "", List.of(), false));
            n.leave("net1", "ep1");
            n.deleteEndpoint("net1", "ep1");
            n.deleteNetwork("net1");

            assertThatThrownBy(() -> n.deleteNetwork("net1")).isInstanceOf(PluginCallException.class)
                    .hasMessage("NetworkDriver.DeleteNetwork: no such network");
        }

        @Test
        void createEndpoint_unknownNetwork_failsWithThePluginsError() {
            assertThatThrownBy(() -> client().networkDriver().createEndpoint("nope", "ep", Optional.empty(), Map.of()))
                    .isInstanceOfSatisfying(PluginCallException.class,
                            e -> assertThat(e.method()).isEqualTo("NetworkDriver.CreateEndpoint"))
                    .hasMessage("NetworkDriver.CreateEndpoint: no such network");
        }
    }

    @Nested
    class Ipam {
        @Test
        void ipam_poolAndAddresses_areHandedOutAndReleased() {
            IpamDriverClient ipam = client().ipamDriver();
            assertThat(ipam.capabilities()).isEqualTo(new IpamDriverClient.Capabilities(false, false));
            assertThat(ipam.defaultAddressSpaces()).isEqualTo(new IpamDriverClient.AddressSpaces("local", "global"));

            IpamDriverClient.Pool pool = ipam.requestPool("local", "", "", Map.of(), false);
            assertThat(pool).isEqualTo(new IpamDriverClient.Pool("pool1", "10.1.0.0/16", Map.of()));
            assertThat(ipam.requestAddress(pool.poolId(), "", Map.of()).address()).isEqualTo("10.1.0.2/16");
            assertThat(ipam.requestAddress(pool.poolId(), "", Map.of()).address()).isEqualTo("10.1.0.3/16");
            ipam.releaseAddress(pool.poolId(), "10.1.0.2");
            assertThat(ipam.requestAddress(pool.poolId(), "", Map.of()).address()).isEqualTo("10.1.0.2/16");
            ipam.releasePool(pool.poolId());

            assertThatThrownBy(() -> ipam.releasePool(pool.poolId())).isInstanceOf(PluginCallException.class)
                    .hasMessage("IpamDriver.ReleasePool: no such pool");
        }
    }

    @Nested
    class Authz {
        @Test
        void authorize_allowedAndDeniedRequests_reportThePluginsDecision() {
            AuthzClient authz = client().authz();

            assertThat(authz.authorizeRequest(AuthzClient.Request.of("alice", "GET", "/v1.41/containers/json")))
                    .isEqualTo(new AuthzClient.Decision(true, ""));
            assertThat(authz.authorizeRequest(AuthzClient.Request.of("alice", "POST", "/v1.41/deny/this")))
                    .isEqualTo(new AuthzClient.Decision(false, "denied by the test plugin"));
            assertThat(authz.authorizeResponse(new AuthzClient.Request("alice", "TLS", "GET", "/v1.41/info",
                    new byte[0], Map.of(), 200, "{}".getBytes(), Map.of("Content-Type", "application/json"))).allow())
                    .isTrue();
        }
    }

    @Nested
    class Logs {
        @Test
        void logging_startAndStop_areTrackedByFile() {
            LogDriverClient logs = client().logDriver();
            assertThat(logs.readLogs()).isFalse();
            logs.startLogging("/run/docker/logging/c1", LogDriverClient.Info.of("c1", "/web"));
            logs.stopLogging("/run/docker/logging/c1");

            assertThatThrownBy(() -> logs.stopLogging("/run/docker/logging/c1")).isInstanceOf(PluginCallException.class)
                    .hasMessage("LogDriver.StopLogging: not logging /run/docker/logging/c1");
        }
    }
}
