package dev.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RunningPlugin;
import dev.berth.testkit.runtime.FakePluginServer.Response;
import dev.berth.testkit.runtime.FakePluginServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the typed clients put on the wire and how they read answers, byte for byte against the shapes
 * of moby's plugin clients (libnetwork's remote driver and IPAM, the authorization and log plugin
 * proxies). The plugin is an in-process transport, so this also shows that a client of a
 * {@link RunningPlugin} goes through its transport and never dials the socket.
 */
class DriverClientsWireTest {
    private final List<FakePluginServer.Request> requests = new ArrayList<>();

    private PluginClient client(Function<FakePluginServer.Request, Response> handler) {
        PluginTransport transport = new PluginTransport() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public Response post(String path, byte[] body, Duration timeout, int max) throws IOException {
                FakePluginServer.Request r = new FakePluginServer.Request(path, new String(body, StandardCharsets.UTF_8));
                requests.add(r);
                FakePluginServer.Response a = handler.apply(r);
                return new Response(a.status(), a.body().getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public String address() {
                return "test";
            }
        };
        // the socket does not exist: every call must go through the transport
        return PluginClient.of(new RunningPlugin("a".repeat(64), Path.of("/nonexistent/p.sock"), List.of(), transport));
    }

    private FakePluginServer.Request only() {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    @Nested
    class Network {
        @Test
        void createNetwork_ipamData_isSentAsLibnetworkMarshalsIt() {
            client(r -> Response.ok("{}")).networkDriver().createNetwork("n1", Map.of("b", "2", "a", "1"),
                    List.of(new NetworkDriverClient.IpamData("local", "10.1.0.0/16", "10.1.0.1/16", Map.of("x", "10.1.0.9"))),
                    List.of(new NetworkDriverClient.IpamData("local", "fd00::/64", "", Map.of())));

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/NetworkDriver.CreateNetwork",
                    "{\"NetworkID\":\"n1\",\"Options\":{\"a\":\"1\",\"b\":\"2\"},\"IPv4Data\":[{\"AddressSpace\":\"local\","
                            + "\"AuxAddresses\":{\"x\":\"10.1.0.9\"},\"Gateway\":\"10.1.0.1/16\",\"Pool\":\"10.1.0.0/16\"}],"
                            + "\"IPv6Data\":[{\"AddressSpace\":\"local\",\"Pool\":\"fd00::/64\"}]}"));
        }

        @Test
        void createEndpoint_withoutInterface_sendsNullAndReadsTheDriversChoice() {
            Optional<NetworkDriverClient.EndpointInterface> got = client(r -> Response.ok(
                    "{\"Interface\":{\"Address\":\"10.1.0.5/16\",\"MacAddress\":\"02:00:00:00:00:01\"},\"Err\":\"\"}"))
                    .networkDriver().createEndpoint("n1", "e1", Optional.empty(), Map.of());

            assertThat(only().body()).isEqualTo(
                    "{\"NetworkID\":\"n1\",\"EndpointID\":\"e1\",\"Interface\":null,\"Options\":{}}");
            assertThat(got).contains(new NetworkDriverClient.EndpointInterface("10.1.0.5/16", "", "02:00:00:00:00:01"));
        }

        @Test
        void join_fullAnswer_isRead() {
            NetworkDriverClient.JoinResult join = client(r -> Response.ok("{\"InterfaceName\":{\"SrcName\":\"v0\","
                    + "\"DstPrefix\":\"eth\"},\"Gateway\":\"10.0.0.1\",\"GatewayIPv6\":\"fd00::1\",\"StaticRoutes\":"
                    + "[{\"Destination\":\"10.2.0.0/16\",\"RouteType\":1,\"NextHop\":\"\"}],\"DisableGatewayService\":true}"))
                    .networkDriver().join("n1", "e1", "/netns/x", Map.of("k", "v"));

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/NetworkDriver.Join",
                    "{\"NetworkID\":\"n1\",\"EndpointID\":\"e1\",\"SandboxKey\":\"/netns/x\",\"Options\":{\"k\":\"v\"}}"));
            assertThat(join).isEqualTo(new NetworkDriverClient.JoinResult("v0", "eth", "10.0.0.1", "fd00::1",
                    List.of(new NetworkDriverClient.StaticRoute("10.2.0.0/16", 1, "")), true));
        }

        @Test
        void capabilities_scopeOtherThanLocalOrGlobal_isRefusedAsLibnetworkDoes() {
            assertThatThrownBy(() -> client(r -> Response.ok("{\"Scope\":\"galaxy\"}")).networkDriver().capabilities())
                    .isInstanceOf(PluginCallException.class)
                    .hasMessageContaining("expecting 'local' or 'global', got galaxy");
            assertThat(only()).isEqualTo(new FakePluginServer.Request("/NetworkDriver.GetCapabilities", ""));
        }

        @Test
        void deleteNetwork_errInA200_fails() {
            assertThatThrownBy(() -> client(r -> Response.ok("{\"Err\":\"busy\"}")).networkDriver().deleteNetwork("n1"))
                    .isInstanceOf(PluginCallException.class).hasMessage("NetworkDriver.DeleteNetwork: busy");
            assertThat(only().body()).isEqualTo("{\"NetworkID\":\"n1\"}");
        }
    }

    @Nested
    class IpamApi {
        @Test
        void requestPool_sendsEveryFieldAndReadsPoolIdPoolData() {
            IpamDriverClient.Pool pool = client(r -> Response.ok(
                    "{\"PoolID\":\"p1\",\"Pool\":\"10.9.0.0/16\",\"Data\":{\"com.docker.network.gateway\":\"10.9.0.1/16\"}}"))
                    .ipamDriver().requestPool("local", "10.9.0.0/16", "", Map.of(), true);

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/IpamDriver.RequestPool",
                    "{\"AddressSpace\":\"local\",\"Pool\":\"10.9.0.0/16\",\"SubPool\":\"\",\"Options\":{},\"V6\":true}"));
            assertThat(pool).isEqualTo(new IpamDriverClient.Pool("p1", "10.9.0.0/16",
                    Map.of("com.docker.network.gateway", "10.9.0.1/16")));
        }

        @Test
        void requestAddress_errorInTheErrorField_failsAsLibnetworkReadsIt() {
            assertThatThrownBy(() -> client(r -> Response.ok("{\"Error\":\"pool exhausted\"}")).ipamDriver()
                    .requestAddress("p1", "", Map.of()))
                    .isInstanceOf(PluginCallException.class).hasMessage("IpamDriver.RequestAddress: pool exhausted");
            assertThat(only().body()).isEqualTo("{\"PoolID\":\"p1\",\"Address\":\"\",\"Options\":{}}");
        }

        @Test
        void releaseAddress_sendsPoolAndAddress() {
            client(r -> Response.ok("{}")).ipamDriver().releaseAddress("p1", "10.9.0.2");

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/IpamDriver.ReleaseAddress",
                    "{\"PoolID\":\"p1\",\"Address\":\"10.9.0.2\"}"));
        }
    }

    @Nested
    class AuthzApi {
        @Test
        void authorizeRequest_emptyFieldsAreOmittedAndBodiesBase64() {
            AuthzClient.Decision d = client(r -> Response.ok("{\"Allow\":false,\"Msg\":\"no\"}")).authz().authorizeRequest(
                    new AuthzClient.Request("bob", "", "POST", "/v1.41/containers/create",
                            "{}".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"), 0,
                            new byte[0], Map.of()));

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/AuthZPlugin.AuthZReq",
                    "{\"User\":\"bob\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\","
                            + "\"RequestBody\":\"e30=\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"}}"));
            assertThat(d).isEqualTo(new AuthzClient.Decision(false, "no"));
        }

        @Test
        void authorizeResponse_pluginError_failsRatherThanDenying() {
            assertThatThrownBy(() -> client(r -> Response.ok("{\"Allow\":false,\"Err\":\"policy unreadable\"}")).authz()
                    .authorizeResponse(AuthzClient.Request.of("", "GET", "/_ping")))
                    .isInstanceOf(PluginCallException.class).hasMessage("AuthZPlugin.AuthZRes: policy unreadable");
            assertThat(only().body()).isEqualTo("{\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\"}");
        }
    }

    @Nested
    class Logs {
        @Test
        void startLogging_sendsFileAndTheContainerInfo() {
            client(r -> Response.ok("{\"Err\":\"\"}")).logDriver().startLogging("/run/fifo/c1",
                    new LogDriverClient.Info(Map.of("max-size", "1m"), "c1", "/web", "nginx", "2024-01-02T03:04:05Z",
                            Map.of("app", "web"), "", "docker"));

            assertThat(only()).isEqualTo(new FakePluginServer.Request("/LogDriver.StartLogging",
                    "{\"File\":\"/run/fifo/c1\",\"Info\":{\"Config\":{\"max-size\":\"1m\"},\"ContainerID\":\"c1\","
                            + "\"ContainerName\":\"/web\",\"ContainerEntrypoint\":\"\",\"ContainerArgs\":[],"
                            + "\"ContainerImageID\":\"\",\"ContainerImageName\":\"nginx\","
                            + "\"ContainerCreated\":\"2024-01-02T03:04:05Z\",\"ContainerEnv\":[],"
                            + "\"ContainerLabels\":{\"app\":\"web\"},\"LogPath\":\"\",\"DaemonName\":\"docker\"}}"));
        }

        @Test
        void capabilities_emptyBodyAndCapReadLogs() {
            assertThat(client(r -> Response.ok("{\"Cap\":{\"ReadLogs\":true}}")).logDriver().readLogs()).isTrue();
            assertThat(only()).isEqualTo(new FakePluginServer.Request("/LogDriver.Capabilities", ""));
        }
    }
}
