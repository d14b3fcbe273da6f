package dev.berth.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.client.PluginCallException;
import dev.berth.client.PluginClient;
import dev.berth.client.Volume;
import dev.berth.client.VolumeDriverClient;
import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.core.internal.runtime.SupervisorListener;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runc.RuncRuntime;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.PluginStartException;
import dev.berth.runtime.RestartPolicy;
import dev.berth.runtime.RunningPlugin;
import dev.berth.testkit.runtime.RealRuntime;
import dev.berth.testkit.runtime.TestPluginBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The whole enable/disable/restart/restore cycle with real runc and the C test plugin. Runs as root
 * only; skips loudly elsewhere, fails on CI (see {@link RealRuntime}). Every test leaves nothing
 * running: the plugin's PID is checked gone and runc has no container left.
 */
class RuncPluginLifecycleTest {
    private static Path runc;
    private static Path buildDir;
    private static TestPluginBuilder plugins;

    private Path dir;
    private String id;
    private Path rootfs;
    private RuncRuntime runtime;
    private PluginSupervisor supervisor;
    private final List<Long> pids = new ArrayList<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @BeforeAll
    static void buildPlugin() throws IOException {
        runc = RealRuntime.requireRunc();
        buildDir = Files.createTempDirectory("berth-test-plugin");
        plugins = new TestPluginBuilder(buildDir);
        plugins.binary();
    }

    @AfterAll
    static void removeBuild() throws IOException {
        if (buildDir != null) {
            deleteTree(buildDir);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        // short: <exec-root>/<id>/plugin.sock must stay within 106 bytes
        dir = Files.createTempDirectory("br");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        id = HexFormat.of().formatHex(random);
        rootfs = plugins.rootfs(dir.resolve("p").resolve(id));
        runtime = runtime();
        supervisor = supervisor(b -> b);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            supervisor.disableAll();
            supervisor.close();
            runtime.delete(id);
            assertThat(runtime.isRunning(id)).isFalse();
            for (long pid : pids) {
                assertThat(running(pid)).as("plugin PID %d is gone", pid).isEmpty();
            }
        } finally {
            runtime.close();
            deleteTree(dir);
        }
    }

    private RuncRuntime runtime() {
        return RuncRuntime.builder().runc(runc).stateRoot(dir.resolve("state")).bundleRoot(dir.resolve("b")).build();
    }

    private PluginSupervisor supervisor(UnaryOperator<PluginSupervisor.Builder> custom) {
        SupervisorListener listener = new SupervisorListener() {
            @Override
            public void restarting(String pluginId, int attempt, Duration delay) {
                events.add("restarting " + attempt);
            }

            @Override
            public void restarted(String pluginId, int attempt) {
                events.add("restarted " + attempt);
            }

            @Override
            public void gaveUp(String pluginId, int attempts, Throwable cause) {
                events.add("gaveUp " + attempts);
            }
        };
        return custom.apply(PluginSupervisor.builder().runtime(runtime).execRoot(dir.resolve("x"))
                .socketTimeout(Duration.ofSeconds(5)).stopTimeout(Duration.ofSeconds(5)).killTimeout(Duration.ofSeconds(5))
                .listener(listener)).build();
    }

    private PluginLaunch launch(String... args) {
        PluginConfig config = TestPluginBuilder.config();
        return new PluginLaunch(id, "test/plugin:latest", config,
                PluginSettings.initialFor(config).withArgs(List.of(args)), rootfs);
    }

    private RunningPlugin enable(PluginLaunch launch) {
        RunningPlugin running = supervisor.enable(launch);
        runtime.pid(id).ifPresent(pids::add);
        return running;
    }

    private void assertNothingLeft() {
        assertThat(runtime.isRunning(id)).isFalse();
        for (long pid : pids) {
            assertThat(running(pid)).as("plugin PID %d is gone", pid).isEmpty();
        }
        assertThat(dir.resolve("x").resolve(id)).doesNotExist();
        assertThat(dir.resolve("b").resolve(id)).doesNotExist();
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("an event within 20 s").isNotNull();
        return e;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Nested
    class EnableAndDisable {
        @Test
        void enable_volumePlugin_clientCreatesAndListsAVolume_disableLeavesNothing() {
            supervisor.close();
            supervisor = supervisor(b -> b.activate(true));

            RunningPlugin running = enable(launch());

            assertThat(running.implemented()).contains("VolumeDriver");
            assertThat(runtime.isRunning(id)).isTrue();
            VolumeDriverClient volumes = PluginClient.builder().socket(running.socket())
                    .timeout(Duration.ofSeconds(5)).build().volumeDriver();
            volumes.create("v1", Map.of());
            assertThat(volumes.list()).containsExactly(new Volume("v1", "/data/v1", ""));
            assertThat(volumes.get("v1").mountpoint()).isEqualTo("/data/v1");
            assertThat(volumes.mount("v1", "c1")).isEqualTo("/data/v1");
            assertThat(volumes.scope()).isEqualTo("local");
            assertThatThrownBy(() -> volumes.get("nope")).isInstanceOf(PluginCallException.class)
                    .hasMessage("VolumeDriver.Get: no such volume");

            assertThat(supervisor.disable(id)).isTrue();

            assertNothingLeft();
        }

        @Test
        void disable_pluginIgnoresSigterm_isKilledAfterTheWait() {
            supervisor.close();
            supervisor = supervisor(b -> b.stopTimeout(Duration.ofMillis(500)));
            enable(launch("ignore-term"));
            long t0 = System.nanoTime();

            supervisor.disable(id);

            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(4));
            assertNothingLeft();
        }

        @Test
        void enable_pluginNeverOpensItsSocket_failsWithinTheTimeoutWithItsStderr() {
            supervisor.close();
            supervisor = supervisor(b -> b.socketTimeout(Duration.ofMillis(500)));
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> supervisor.enable(launch("no-socket")))
                    .isInstanceOfSatisfying(PluginStartException.class, e -> assertThat(e.stderrTail())
                            .anySatisfy(line -> assertThat(line).contains("not opening")));

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertNothingLeft();
            assertThat(supervisor.ids()).isEmpty();
        }

        @Test
        void enable_pluginExitsAtOnce_failsFastWithItsStderr() {
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> supervisor.enable(launch("crash")))
                    .isInstanceOf(PluginStartException.class).hasMessageContaining("exited before serving its socket")
                    .hasMessageContaining("crashing on purpose");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertNothingLeft();
        }

        @Test
        void enable_activateAnswerLacksTheDeclaredType_failsAndLeavesNothing() {
            supervisor.close();
            supervisor = supervisor(b -> b.activate(true));

            assertThatThrownBy(() -> enable(launch("wrong-activate"))).isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("docker.volumedriver/1.0");

            assertNothingLeft();
        }
    }

    @Nested
    class Crashes {
        @Test
        void crash_pluginExits_isRestartedAndServesAgain() throws InterruptedException {
            RunningPlugin running = enable(launch());
            PluginClient client = PluginClient.of(running.socket());

            assertThatThrownBy(() -> client.call("Test.Crash", new byte[0])).isInstanceOf(PluginCallException.class);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarted 1");
            runtime.pid(id).ifPresent(pids::add);
            assertThat(client.volumeDriver().list()).isEmpty();
        }

        @Test
        void crash_pluginKeepsCrashing_isRestartedWithBackoffThenGivenUp() throws InterruptedException {
            supervisor.close();
            supervisor = supervisor(b -> b.restartPolicy(
                    new RestartPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(1))));
            RunningPlugin running = enable(launch("crashy"));
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> PluginClient.of(running.socket()).call("Test.Crash", new byte[0]))
                    .isInstanceOf(PluginCallException.class);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarting 2");
            assertThat(nextEvent()).isEqualTo("restarting 3");
            assertThat(nextEvent()).isEqualTo("gaveUp 3");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("50 + 100 + 200 ms of backoff")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(350));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!supervisor.ids().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(supervisor.ids()).isEmpty();
            assertNothingLeft();
        }
    }

    @Nested
    class Restore {
        @Test
        void restore_managerReopenedWhilePluginRuns_reattachesToTheSameProcess() throws IOException {
            RunningPlugin first = enable(launch());
            PluginClient.of(first.socket()).volumeDriver().create("kept", Map.of());
            OptionalLong pid = runtime.pid(id);
            supervisor.close();
            runtime.close();

            runtime = runtime();
            supervisor = supervisor(b -> b);
            RunningPlugin again = supervisor.restore(launch(), true);

            assertThat(runtime.pid(id)).isEqualTo(pid);
            assertThat(PluginClient.of(again.socket()).volumeDriver().list()).extracting(Volume::name)
                    .containsExactly("kept");
            supervisor.disable(id);
            assertNothingLeft();
        }

        @Test
        void enable_deadContainerLeftByAnEarlierRun_isClearedFirst() {
            enable(launch());
            supervisor.close();
            runtime.close();
            runtime = runtime();
            assertThat(runtime.signal(id, dev.berth.runtime.PluginRuntime.Signal.KILL)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (runtime.isRunning(id)) {
                assertThat(System.nanoTime()).as("the killed plugin stops").isLessThan(deadline);
                Thread.onSpinWait();
            }
            supervisor = supervisor(b -> b);

            enable(launch());

            assertThat(runtime.isRunning(id)).isTrue();
        }

        @Test
        void restore_withoutLiveRestore_restartsAFreshProcess() {
            enable(launch());
            OptionalLong pid = runtime.pid(id);
            supervisor.close();
            runtime.close();

            runtime = runtime();
            supervisor = supervisor(b -> b);
            supervisor.restore(launch(), false);
            runtime.pid(id).ifPresent(pids::add);

            assertThat(runtime.pid(id)).isNotEqualTo(pid);
            assertThat(running(pid.orElseThrow())).isEmpty();
        }
    }

    @Nested
    class Output {
        @Test
        void start_pluginFloodsStderrWithoutNewlines_linesAreCappedAndExitIsReported()
                throws InterruptedException, IOException {
            Files.createDirectories(dir.resolve("x"));
            runtime.close();
            runtime = RuncRuntime.builder().runc(runc).stateRoot(dir.resolve("state")).bundleRoot(dir.resolve("b"))
                    .maxLineLength(1000).build();
            PluginConfig config = PluginConfig.builder().entrypoint(List.of("/bin/busybox", "sh", "-c",
                    "/bin/busybox head -c 100000 /dev/zero | /bin/busybox tr '\\0' a >&2; echo done >&2; echo out"))
                    .build();
            dev.berth.runtime.RuntimeSpec spec = dev.berth.runtime.PluginSpecGenerator.generate(config,
                    PluginSettings.initialFor(config), dev.berth.runtime.SpecPaths.dockerLayout(rootfs, dir.resolve("x")));
            List<String> err = Collections.synchronizedList(new ArrayList<>());
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch exited = new java.util.concurrent.CountDownLatch(1);

            runtime.start(id, spec, new dev.berth.runtime.PluginRuntime.Listener() {
                @Override
                public void stdout(String line) {
                    out.add(line);
                }

                @Override
                public void stderr(String line) {
                    err.add(line);
                }

                @Override
                public void exited() {
                    exited.countDown();
                }
            });
            runtime.pid(id).ifPresent(pids::add);

            assertThat(exited.await(20, TimeUnit.SECONDS)).as("exit reported").isTrue();
            assertThat(err).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(1000));
            assertThat(String.join("", err)).isEqualTo("a".repeat(100_000) + "done");
            assertThat(out).containsExactly("out");
            runtime.delete(id);
            Files.delete(dir.resolve("x"));
            assertNothingLeft();
        }
    }

    @Nested
    class Timing {
        @Test
        void enable_smallPlugin_servesWellUnderDockersSixHundredMilliseconds() {
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                enable(launch());
                micros.add((System.nanoTime() - t0) / 1000);
                supervisor.disable(id);
            }
            List<Long> sorted = micros.stream().sorted().toList();
            System.out.printf("[measure] enable of the test plugin with runc (start -> socket accepts), ms: %s; "
                    + "median %.1f%n", micros.stream().map(m -> String.format("%.1f", m / 1000.0)).toList(),
                    sorted.get(2) / 1000.0);
            assertThat(sorted.get(2)).as("median enable time in µs").isLessThan(600_000);
            assertNothingLeft();
        }
    }

    /**
     * The PID if a process runs under it: not gone and not a zombie, as the runtime's own watcher
     * counts it (a zombie's exit is already reported).
     */
    private static java.util.Optional<Long> running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X' ? java.util.Optional.empty() : java.util.Optional.of(pid);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * An exec root so long that {@code <exec-root>/<id>/plugin.sock} cannot be a unix socket address (Docker
     * fails here): the plugin binds its short in-container path, the host dials a short link in the
     * temp dir, and nothing of the link is left afterwards.
     */
    @Nested
    class LongPaths {
        private Path longExecRoot() {
            return dir.resolve("an-exec-root-as-long-as-a-junit-temp-dir-or-longer-" + "x".repeat(60));
        }

        /** The link directories in the temp dir that lead into this test's directory. */
        private List<Path> linksHere() throws IOException {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            List<Path> found = new ArrayList<>();
            try (var list = Files.list(tmp)) {
                for (Path p : list.filter(p -> p.getFileName().toString().startsWith("berth-")).toList()) {
                    Path link = p.resolve("d");
                    if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).startsWith(dir.toAbsolutePath())) {
                        found.add(p);
                    }
                }
            } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException raced) {
                // another process's entry came and went; it is not ours
            }
            return found;
        }

        @Test
        void enable_execRootTooLongForASocketPath_pluginServesThroughTheShortLink_disableLeavesNothing()
                throws IOException {
            supervisor.close();
            Path execRoot = longExecRoot();
            assertThat(execRoot.resolve(id).resolve("plugin.sock").toString().length()).isGreaterThan(200);
            supervisor = supervisor(b -> b.execRoot(execRoot).activate(true));

            RunningPlugin running = enable(launch());

            assertThat(running.implemented()).contains("VolumeDriver");
            assertThat(running.socket().toString().length()).isLessThanOrEqualTo(106);
            assertThat(linksHere()).hasSize(1);
            VolumeDriverClient volumes = PluginClient.builder().socket(running.socket())
                    .timeout(Duration.ofSeconds(5)).build().volumeDriver();
            volumes.create("v1", Map.of());
            assertThat(volumes.list()).extracting(Volume::name).containsExactly("v1");

            assertThat(supervisor.disable(id)).isTrue();

            assertThat(runtime.isRunning(id)).isFalse();
            assertThat(execRoot.resolve(id)).doesNotExist();
            assertThat(linksHere()).isEmpty();
        }

        @Test
        void crash_execRootTooLong_restartedPluginServesThroughTheSameLink() throws Exception {
            supervisor.close();
            Path execRoot = longExecRoot();
            supervisor = supervisor(b -> b.execRoot(execRoot).restartPolicy(
                    new RestartPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(1))));
            RunningPlugin running = enable(launch());

            assertThatThrownBy(() -> PluginClient.of(running.socket()).call("Test.Crash", new byte[0]))
                    .isInstanceOf(RuntimeException.class);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarted 1");
            runtime.pid(id).ifPresent(pids::add);
            assertThat(PluginClient.of(running.socket()).volumeDriver().list()).isEmpty();
            assertThat(supervisor.disable(id)).isTrue();
            assertThat(linksHere()).isEmpty();
        }
    }
}
