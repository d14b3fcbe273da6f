package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.GetMode;
import dev.berth.PluginManager;
import dev.berth.exception.ConflictException;
import dev.berth.plugin.Plugin;
import dev.berth.runtime.PluginStartException;
import dev.berth.testkit.content.InMemoryContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;
import dev.berth.testkit.runtime.FakeDriverPlugin;
import dev.berth.testkit.runtime.FakePluginRuntime;
import dev.berth.testkit.runtime.FakePluginServer;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The host side of enabled plugins: activation after enable, and lookup by capability. */
class HostPluginsTest {
    static final String VOLUME = "localhost:5000/acme/volume:1.0";
    static final String BACKUP = "localhost:5000/acme/backup:1.0";
    static final String NETWORK = "localhost:5000/acme/network:1.0";

    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private FakePluginRuntime runtime;
    private PluginManager plugins;

    HostPluginsTest() {
        TestPlugin.builder().publish(registry, VOLUME);
        TestPlugin.builder().publish(registry, BACKUP);
        TestPlugin.builder().types("docker.networkdriver/1.0").publish(registry, NETWORK);
    }

    private PluginManager open(Function<FakePluginServer.Request, FakePluginServer.Response> plugin,
                               UnaryOperator<PluginManager.Builder> extra) {
        runtime = FakePluginRuntime.inProcess(plugin);
        plugins = extra.apply(PluginManager.builder().root(fs.getPath("/plugins")).execRoot(fs.getPath("/run"))
                .contentStore(InMemoryContentStore.create()).registryResolver(registry)
                .rootfsApplier(new SimpleRootfsApplier()).runtime(runtime)).build();
        return plugins;
    }

    private Plugin installDisabled(String ref) {
        return plugins.install(ref).grantAllPrivileges().disabled().run();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (plugins != null) {
            plugins.close();
        }
        fs.close();
    }

    @Nested
    class Activate {
        @Test
        void enable_pluginAnswersActivate_endpointReportsWhatItImplements() {
            open(new FakeDriverPlugin(List.of("VolumeDriver")), b -> b);
            installDisabled(VOLUME);

            plugins.enable(VOLUME, Duration.ofSeconds(5));

            assertThat(plugins.endpoint(VOLUME).implemented()).containsExactly("VolumeDriver");
            assertThat(runtime.requests()).extracting(FakePluginServer.Request::path).containsExactly("/Plugin.Activate");
        }

        @Test
        void enable_activateLacksTheDeclaredType_failsAndLeavesThePluginDisabled() {
            open(new FakeDriverPlugin(List.of("NetworkDriver")), b -> b);
            installDisabled(VOLUME);

            assertThatThrownBy(() -> plugins.enable(VOLUME, Duration.ofSeconds(5)))
                    .isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("declares [docker.volumedriver/1.0] but its /Plugin.Activate implements only [NetworkDriver]");
            assertThat(plugins.inspect(VOLUME).enabled()).isFalse();
            assertThat(runtime.containers()).isEmpty();
        }

        @Test
        void enable_activateSlowerThanActivateTimeout_failsAndStopsThePlugin() {
            FakeDriverPlugin driver = new FakeDriverPlugin();
            open(r -> {
                if (r.path().equals("/Plugin.Activate")) {
                    sleep(Duration.ofSeconds(3));
                }
                return driver.apply(r);
            }, b -> b.activateTimeout(Duration.ofMillis(200)));
            installDisabled(VOLUME);
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> plugins.enable(VOLUME, Duration.ofSeconds(10)))
                    .isInstanceOf(PluginStartException.class).hasMessageContaining("failed /Plugin.Activate")
                    .hasMessageContaining("within 200 ms");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
            assertThat(plugins.inspect(VOLUME).enabled()).isFalse();
            assertThat(runtime.containers()).isEmpty();
        }

        @Test
        void activateTimeout_notPositive_isRefused() {
            assertThatThrownBy(() -> PluginManager.builder().activateTimeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class GetAllByCap {
        @Test
        void getAllByCap_enabledProviders_sortedByNameIgnoringCase() {
            open(new FakeDriverPlugin(), b -> b);
            installDisabled(VOLUME);
            installDisabled(BACKUP);
            installDisabled(NETWORK);
            plugins.enable(VOLUME, Duration.ofSeconds(5));
            plugins.enable(BACKUP, Duration.ofSeconds(5));
            plugins.enable(NETWORK, Duration.ofSeconds(5));

            assertThat(plugins.getAllByCap("VolumeDriver")).extracting(Plugin::name).containsExactly(BACKUP, VOLUME);
            assertThat(plugins.getAllByCap("networkdriver")).extracting(Plugin::name).containsExactly(NETWORK);
            assertThat(plugins.getAllByCap("ipamdriver")).isEmpty();
        }

        @Test
        void getAllByCap_disabledProvider_isLeftOut() {
            open(new FakeDriverPlugin(), b -> b);
            installDisabled(VOLUME);
            installDisabled(BACKUP);
            plugins.enable(BACKUP, Duration.ofSeconds(5));

            assertThat(plugins.getAllByCap("volumedriver")).extracting(Plugin::name).containsExactly(BACKUP);
        }

        @Test
        void getAllByCap_leavesRefCountsAlone_getWithAcquireTakesOne() {
            open(new FakeDriverPlugin(), b -> b);
            installDisabled(VOLUME);
            plugins.enable(VOLUME, Duration.ofSeconds(5));

            Plugin found = plugins.getAllByCap("volumedriver").get(0);
            assertThat(plugins.refCount(VOLUME)).isZero();

            plugins.get(found.name(), "volumedriver", GetMode.ACQUIRE);
            assertThat(plugins.refCount(VOLUME)).isEqualTo(1);
            assertThat(plugins.getAllByCap("volumedriver")).hasSize(1);
            assertThat(plugins.refCount(VOLUME)).isEqualTo(1);
            assertThatThrownBy(() -> plugins.disable(VOLUME, false)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("is in use");
        }
    }

    @Nested
    class InMemory {
        /**
         * The whole life runs in a JVM of its own whose temp directory and working directory are fresh
         * and empty, so that anything written to the default file system shows (the shared /tmp of this
         * process changes under other builds).
         */
        @Test
        void wholeLife_onJimfs_writesNothingToTheDefaultFileSystem() throws Exception {
            Path tmp = Files.createTempDirectory("berth-inmem-tmp");
            Path cwd = Files.createTempDirectory("berth-inmem-cwd");
            try {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp", System.getProperty("java.class.path"), InMemoryLife.class.getName())
                        .directory(cwd.toFile()).redirectErrorStream(true).start();
                p.getOutputStream().close();
                String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as(output).isZero();

                assertThat(output).contains("volumes [v]");
                assertThat(names(tmp)).as("written to java.io.tmpdir").isEmpty();
                assertThat(names(cwd)).as("written to the working directory").isEmpty();
                // the default exec root would be the first place a stray socket directory lands
                assertThat(Path.of("/run/berth/plugins")).doesNotExist();
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(cwd);
            }
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
