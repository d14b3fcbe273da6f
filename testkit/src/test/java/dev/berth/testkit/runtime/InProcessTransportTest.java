package dev.berth.testkit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginSpecGenerator;
import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.runtime.SpecPaths;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InProcessTransportTest {
    private static final String ID = "b".repeat(64);
    private static final PluginRuntime.Listener QUIET = () -> { };
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private RuntimeSpec spec() {
        PluginConfig config = TestPluginBuilder.config();
        return PluginSpecGenerator.generate(config, PluginSettings.initialFor(config),
                SpecPaths.dockerLayout(fs.getPath("/p/rootfs"), fs.getPath("/run/x")));
    }

    private static PluginTransport.Response post(PluginTransport t, String path, String body) throws IOException {
        return t.post(path, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2), 1 << 20);
    }

    @Nested
    class Post {
        @Test
        void post_runningPlugin_isAnsweredByTheHandlerAndRecorded() throws IOException {
            FakeDriverPlugin driver = new FakeDriverPlugin();
            FakePluginRuntime runtime = FakePluginRuntime.inProcess(driver);
            runtime.start(ID, spec(), QUIET);
            PluginTransport t = runtime.transport(ID).orElseThrow();

            PluginTransport.Response r = post(t, "/VolumeDriver.Create", "{\"Name\":\"v\"}");

            assertThat(r.status()).isEqualTo(200);
            assertThat(driver.volumes()).containsExactly("v");
            assertThat(runtime.requests()).containsExactly(new FakePluginServer.Request("/VolumeDriver.Create", "{\"Name\":\"v\"}"));
            assertThat(t.address()).isEqualTo("in-process:" + ID);
            // nothing served on any file system: no socket directory was made
            assertThat(Files.exists(fs.getPath("/run"))).isFalse();
        }

        @Test
        void post_afterTerm_isRefusedAsAClosedSocketWouldBe() throws IOException {
            FakePluginRuntime runtime = FakePluginRuntime.inProcess(new FakeDriverPlugin());
            runtime.start(ID, spec(), QUIET);
            PluginTransport t = runtime.transport(ID).orElseThrow();
            assertThat(t.ready()).isTrue();

            runtime.signal(ID, PluginRuntime.Signal.TERM);

            assertThat(t.ready()).isFalse();
            assertThatThrownBy(() -> post(t, "/Plugin.Activate", "")).isInstanceOf(ConnectException.class);
        }

        @Test
        void post_handlerSlowerThanTheDeadline_timesOut() {
            FakePluginRuntime runtime = FakePluginRuntime.inProcess(r -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return FakePluginServer.Response.ok("{}");
            });
            runtime.start(ID, spec(), QUIET);
            PluginTransport t = runtime.transport(ID).orElseThrow();
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> t.post("/Plugin.Activate", new byte[0], Duration.ofMillis(100), 1024))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_500));
        }

        @Test
        void transport_neverListeningPlugin_isNotReady() {
            FakePluginRuntime runtime = FakePluginRuntime.inProcess(new FakeDriverPlugin());
            runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            runtime.start(ID, spec(), QUIET);

            assertThat(runtime.transport(ID).orElseThrow().ready()).isFalse();
        }

        @Test
        void transport_socketServingFake_hasNone() {
            assertThat(new FakePluginRuntime("p.sock", "VolumeDriver").transport(ID)).isEmpty();
        }
    }
}
