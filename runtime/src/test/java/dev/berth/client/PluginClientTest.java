package dev.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testkit.runtime.FakePluginServer.Response;
import dev.berth.testkit.runtime.FakePluginServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PluginClientTest {
    private Path dir;
    private FakePluginServer server;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("bpc");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
        Files.deleteIfExists(dir.resolve("p.sock"));
        Files.deleteIfExists(dir);
    }

    private PluginClient serve(Function<FakePluginServer.Request, Response> handler) throws IOException {
        server = FakePluginServer.start(dir.resolve("p.sock"), handler);
        return PluginClient.builder().socket(server.socket()).timeout(Duration.ofSeconds(2)).build();
    }

    @Nested
    class Call {
        @Test
        void call_ok_postsTheBodyToTheMethodPath() throws IOException {
            PluginClient client = serve(r -> Response.ok("{\"x\":1}"));

            byte[] answer = client.call("Custom.Method", "{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
            assertThat(server.requests()).containsExactly(new FakePluginServer.Request("/Custom.Method", "{\"a\":\"b\"}"));
        }

        @Test
        void call_non200WithErr_failsWithDockersMessage() throws IOException {
            PluginClient client = serve(r -> Response.of(500, "{\"Err\":\"disk full\"}"));

            assertThatThrownBy(() -> client.call("VolumeDriver.Create", new byte[0]))
                    .isInstanceOfSatisfying(PluginCallException.class,
                            e -> assertThat(e.method()).isEqualTo("VolumeDriver.Create"))
                    .hasMessage("VolumeDriver.Create: disk full");
        }

        @Test
        void call_non200WithoutJson_reportsTheRawBody() throws IOException {
            PluginClient client = serve(r -> Response.of(404, "404 page not found"));

            assertThatThrownBy(() -> client.call("Nope.Method", new byte[0]))
                    .isInstanceOf(PluginCallException.class).hasMessage("Nope.Method: 404 page not found");
        }

        @Test
        void call_pluginNeverAnswers_failsAtTheDeadline() throws IOException, InterruptedException {
            CountDownLatch release = new CountDownLatch(1);
            server = FakePluginServer.start(dir.resolve("p.sock"), r -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Response.ok("{}");
            });
            PluginClient client = PluginClient.builder().socket(server.socket()).timeout(Duration.ofMillis(200)).build();
            long t0 = System.nanoTime();
            try {
                assertThatThrownBy(() -> client.call("Slow.Method", new byte[0]))
                        .isInstanceOf(PluginCallException.class).hasMessageContaining("in time");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            } finally {
                release.countDown();
            }
        }

        @Test
        void call_responseOverTheCap_isRefused() throws IOException {
            server = FakePluginServer.start(dir.resolve("p.sock"), r -> Response.ok("{\"x\":\"" + "a".repeat(5000) + "\"}"));
            PluginClient client = PluginClient.builder().socket(server.socket()).maxResponseBytes(1000).build();

            assertThatThrownBy(() -> client.call("Big.Method", new byte[0]))
                    .isInstanceOf(PluginCallException.class).hasMessageContaining("exceeds the limit of 1000");
        }

        @Test
        void call_noPluginOnTheSocket_fails() {
            PluginClient client = PluginClient.of(dir.resolve("p.sock"));

            assertThatThrownBy(() -> client.call("Any.Method", new byte[0])).isInstanceOf(PluginCallException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            // chunked, with an extension and a trailer
            "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n4;x=y\\r\\n{\"Im\\r\\n10\\r\\nplements\":[\"A\"]}\\r\\n0\\r\\nT: v\\r\\n\\r\\n",
            // no length: the body ends with the connection
            "HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n\\r\\n{\"Implements\":[\"A\"]}",
            // bare LF line ends
            "HTTP/1.0 200 OK\\nContent-Length: 20\\n\\n{\"Implements\":[\"A\"]}",
        })
        void activate_framing_isParsed(String raw) throws IOException {
            PluginClient client = serve(r -> new Response(200, raw.replace("\\r", "\r").replace("\\n", "\n"), true));

            assertThat(client.activate()).containsExactly("A");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "garbage\\r\\n\\r\\n",
            "HTTP/1.1 200 OK\\r\\nContent-Length: 50\\r\\n\\r\\n{}",
            "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n",
            "HTTP/1.1 200 OK\\r\\nBad header line\\r\\n\\r\\n{}",
        })
        void call_malformedResponse_fails(String raw) throws IOException {
            PluginClient client = serve(r -> new Response(200, raw.replace("\\r", "\r").replace("\\n", "\n"), true));

            assertThatThrownBy(() -> client.call("Plugin.Activate", new byte[0])).isInstanceOf(PluginCallException.class);
        }
    }

    @Nested
    class VolumeDriver {
        @Test
        void create_options_sendsNameAndSortedOpts() throws IOException {
            VolumeDriverClient volumes = serve(r -> Response.ok("{\"Err\":\"\"}")).volumeDriver();

            volumes.create("v1", Map.of("size", "1g", "encrypt", "true"));

            assertThat(server.requests()).containsExactly(new FakePluginServer.Request("/VolumeDriver.Create",
                    "{\"Name\":\"v1\",\"Opts\":{\"encrypt\":\"true\",\"size\":\"1g\"}}"));
        }

        @Test
        void create_pluginAnswersErr_fails() throws IOException {
            VolumeDriverClient volumes = serve(r -> Response.ok("{\"Err\":\"exists\"}")).volumeDriver();

            assertThatThrownBy(() -> volumes.create("v1", Map.of())).isInstanceOf(PluginCallException.class)
                    .hasMessage("VolumeDriver.Create: exists");
        }

        @Test
        void list_volumes_decodesNamesAndMountpoints() throws IOException {
            VolumeDriverClient volumes = serve(r -> Response.ok("{\"Volumes\":[{\"Name\":\"a\",\"Mountpoint\":\"/data/a\"},"
                    + "{\"name\":\"b\",\"CreatedAt\":\"2026-11-27T00:00:00Z\"}],\"Err\":\"\"}")).volumeDriver();

            assertThat(volumes.list()).containsExactly(new Volume("a", "/data/a", ""),
                    new Volume("b", "", "2026-11-27T00:00:00Z"));
        }

        @Test
        void get_mount_path_unmount_remove_scope_useTheirMethods() throws IOException {
            VolumeDriverClient volumes = serve(r -> switch (r.path()) {
                case "/VolumeDriver.Get" -> Response.ok("{\"Volume\":{\"Name\":\"a\",\"Mountpoint\":\"/m\",\"Status\":{}}}");
                case "/VolumeDriver.Mount", "/VolumeDriver.Path" -> Response.ok("{\"Mountpoint\":\"/m\",\"Err\":\"\"}");
                case "/VolumeDriver.Capabilities" -> Response.ok("{\"Capabilities\":{\"Scope\":\"global\"}}");
                default -> Response.ok("{}");
            }).volumeDriver();

            assertThat(volumes.get("a")).isEqualTo(new Volume("a", "/m", ""));
            assertThat(volumes.mount("a", "c1")).isEqualTo("/m");
            assertThat(volumes.path("a")).isEqualTo("/m");
            volumes.unmount("a", "c1");
            volumes.remove("a");
            assertThat(volumes.scope()).isEqualTo("global");
            assertThat(server.requests()).extracting(FakePluginServer.Request::path).containsExactly(
                    "/VolumeDriver.Get", "/VolumeDriver.Mount", "/VolumeDriver.Path", "/VolumeDriver.Unmount",
                    "/VolumeDriver.Remove", "/VolumeDriver.Capabilities");
            assertThat(server.requests().get(1).body()).isEqualTo("{\"Name\":\"a\",\"ID\":\"c1\"}");
        }

        @Test
        void scope_notSaid_isLocal() throws IOException {
            VolumeDriverClient volumes = serve(r -> Response.ok("{}")).volumeDriver();

            assertThat(volumes.scope()).isEqualTo("local");
        }
    }
}
