package dev.berth.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.core.internal.runtime.PluginSupervisor;
import dev.berth.core.internal.runtime.SupervisorListener;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.unixhttp.UnixHttpClient;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginSettings;
import dev.berth.runtime.PluginLaunch;
import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.PluginStartException;
import dev.berth.runtime.RestartPolicy;
import dev.berth.runtime.RunningPlugin;
import dev.berth.runtime.RuntimeSpec;
import dev.berth.testkit.runtime.FakePluginRuntime;
import dev.berth.testkit.runtime.FakePluginServer;
import dev.berth.testkit.runtime.TestPluginBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PluginSupervisorTest {
    private static final String ID = "a".repeat(64);
    private static final String SOCKET = "plugin.sock";

    private Path dir;
    private Path execRoot;
    private FakePluginRuntime runtime;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private PluginSupervisor supervisor;

    @BeforeEach
    void setUp() throws IOException {
        // short: <exec-root>/<64-hex id>/<socket> must fit the 107 bytes of a unix socket path
        dir = Files.createTempDirectory("b");
        execRoot = dir.resolve("x");
        runtime = new FakePluginRuntime(SOCKET, "VolumeDriver");
        supervisor = supervisor(b -> b);
    }

    @AfterEach
    void tearDown() throws IOException {
        supervisor.disableAll();
        supervisor.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private PluginSupervisor supervisor(java.util.function.UnaryOperator<PluginSupervisor.Builder> custom) {
        SupervisorListener listener = new SupervisorListener() {
            @Override
            public void restarting(String id, int attempt, Duration delay) {
                events.add("restarting " + attempt);
            }

            @Override
            public void restarted(String id, int attempt) {
                events.add("restarted " + attempt);
            }

            @Override
            public void gaveUp(String id, int attempts, Throwable cause) {
                events.add("gaveUp " + attempts);
            }
        };
        return custom.apply(PluginSupervisor.builder().runtime(runtime).execRoot(execRoot)
                .socketTimeout(Duration.ofSeconds(2)).stopTimeout(Duration.ofSeconds(2)).killTimeout(Duration.ofSeconds(2))
                .restartPolicy(new RestartPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(1)))
                .listener(listener)).build();
    }

    private PluginLaunch launch(String socket) {
        PluginConfig config = TestPluginBuilder.config().toBuilder()
                .pluginInterface(new dev.berth.plugin.PluginInterface("", socket,
                        TestPluginBuilder.config().pluginInterface().types()))
                .build();
        return new PluginLaunch(ID, "test/plugin:latest", config, PluginSettings.initialFor(config),
                dir.resolve("plugins").resolve(ID).resolve("rootfs"));
    }

    private PluginLaunch launch() {
        return launch(SOCKET);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(5, TimeUnit.SECONDS);
        assertThat(e).as("an event within 5 s").isNotNull();
        return e;
    }

    @Nested
    class Enable {
        @Test
        void enable_servingPlugin_returnsItsSocketAndTheSocketAnswers() throws IOException {
            RunningPlugin running = supervisor.enable(launch());

            assertThat(running.socket()).isEqualTo(execRoot.toAbsolutePath().resolve(ID).resolve(SOCKET));
            assertThat(UnixHttpClient.post(running.socket(), "/VolumeDriver.List", new byte[0], Duration.ofSeconds(2),
                    1024).status()).isEqualTo(200);
            assertThat(runtime.starts(ID)).isEqualTo(1);
            assertThat(supervisor.running(ID)).contains(running);
        }

        @Test
        void enable_spec_mountsTheFreshExecDirAtRunDockerPlugins() {
            supervisor.enable(launch());

            RuntimeSpec spec = runtime.specs().get(0);
            assertThat(spec.mounts()).contains(new RuntimeSpec.Mount("/run/docker/plugins", "bind",
                    execRoot.toAbsolutePath().resolve(ID).toString(), List.of("rbind", "rshared")));
            assertThat(dir.resolve("plugins").resolve(ID).resolve("propagated-mount")).isDirectory();
        }

        @Test
        void enable_twice_conflicts() {
            supervisor.enable(launch());

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("is enabled");
            assertThat(runtime.starts(ID)).isEqualTo(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", ".", "..", "a/b.sock", "../../docker.sock", "/run/x.sock", "nul\0.sock",
            "a-socket-name-so-long-that-even-the-short-link-path-to-it-overflows-the-108-bytes-of-a-unix-socket.sock"})
        void enable_unsafeSocketName_isRefusedBeforeAnythingStarts(String socket) {
            assertThatThrownBy(() -> supervisor.enable(launch(socket))).isInstanceOf(InvalidParameterException.class);

            assertThat(runtime.starts(ID)).isZero();
            assertThat(supervisor.ids()).isEmpty();
        }

        @Test
        void enable_pluginNeverListens_failsWithinTheTimeoutAndLeavesNothing() {
            runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            PluginSupervisor quick = supervisor(b -> b.socketTimeout(Duration.ofMillis(300)));
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> quick.enable(launch())).isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("did not serve its socket").hasMessageContaining("within 300 ms");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThat(runtime.signals()).containsExactly(ID + ":TERM");
            assertThat(runtime.containers()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
            assertThat(quick.ids()).isEmpty();
            quick.close();
        }

        @Test
        void enable_pluginExitsAtOnce_failsFastWithItsStderr() {
            runtime.behavior(FakePluginRuntime.Behavior.EXIT_AT_ONCE);
            long t0 = System.nanoTime();

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOfSatisfying(PluginStartException.class,
                    e -> {
                        assertThat(e).hasMessageContaining("exited before serving its socket");
                        assertThat(e.stderrTail()).singleElement().asString().contains("exiting at once");
                    });

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(runtime.containers()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
        }

        @Test
        void enable_runtimeCannotStart_reportsItAndLeavesNothing() {
            runtime.behavior(FakePluginRuntime.Behavior.FAIL_TO_START);

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("could not be started");

            assertThat(execRoot.resolve(ID)).doesNotExist();
            assertThat(supervisor.ids()).isEmpty();
        }

        @Test
        void enable_staleListenerInTheExecDir_isNotTakenForThePlugin() throws IOException {
            Files.createDirectories(execRoot.resolve(ID));
            runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            PluginSupervisor quick = supervisor(b -> b.socketTimeout(Duration.ofMillis(200)));
            try (FakePluginServer stale = FakePluginServer.start(execRoot.resolve(ID).resolve(SOCKET),
                    FakePluginServer.activating("VolumeDriver"))) {
                assertThatThrownBy(() -> quick.enable(launch())).isInstanceOf(PluginStartException.class);
                assertThat(stale.requests()).isEmpty();
            } finally {
                quick.close();
            }
        }

        @Test
        void enable_socketReplacedBySymlink_isRefused() throws IOException {
            Path elsewhere = dir.resolve("host.sock");
            try (FakePluginServer host = FakePluginServer.start(elsewhere, FakePluginServer.activating("VolumeDriver"))) {
                PluginRuntime planting = new DelegatingRuntime(runtime) {
                    @Override
                    public void start(String id, RuntimeSpec spec, Listener listener) {
                        super.start(id, spec, listener);
                        try {
                            Files.createSymbolicLink(execRoot.toAbsolutePath().resolve(id).resolve(SOCKET), elsewhere);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                };
                runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
                PluginSupervisor s = PluginSupervisor.builder().runtime(planting).execRoot(execRoot)
                        .stopTimeout(Duration.ofSeconds(1)).build();

                assertThatThrownBy(() -> s.enable(launch())).isInstanceOf(PluginStartException.class)
                        .hasMessageContaining("symbolic link");

                assertThat(host.requests()).isEmpty();
                assertThat(runtime.containers()).isEmpty();
                s.close();
            }
        }

        @Test
        void enable_activateNamesTheDeclaredInterface_returnsIt() {
            PluginSupervisor activating = supervisor(b -> b.activate(true));

            assertThat(activating.enable(launch()).implemented()).containsExactly("VolumeDriver");
            activating.disable(ID);
            activating.close();
        }

        @Test
        void enable_activateLacksTheDeclaredInterface_failsAndStopsThePlugin() {
            runtime = new FakePluginRuntime(SOCKET, "NetworkDriver");
            PluginSupervisor activating = supervisor(b -> b.activate(true));

            assertThatThrownBy(() -> activating.enable(launch())).isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("docker.volumedriver/1.0").hasMessageContaining("NetworkDriver");

            assertThat(runtime.containers()).isEmpty();
            activating.close();
        }
    }

    @Nested
    class Transport {
        @Test
        void enable_runtimeWithATransport_waitsAndActivatesThroughItWithoutASocket() throws IOException {
            FakePluginRuntime inProcess = FakePluginRuntime.inProcess(FakePluginServer.activating("VolumeDriver"));
            runtime = inProcess;
            supervisor.close();
            supervisor = supervisor(b -> b.activate(true));

            RunningPlugin running = supervisor.enable(launch());

            assertThat(running.implemented()).containsExactly("VolumeDriver");
            assertThat(running.transport().address()).isEqualTo("in-process:" + ID);
            assertThat(running.transport().post("/VolumeDriver.List", new byte[0], Duration.ofSeconds(2), 1024).status())
                    .isEqualTo(200);
            assertThat(inProcess.requests()).extracting(FakePluginServer.Request::path)
                    .containsExactly("/Plugin.Activate", "/VolumeDriver.List");
            assertThat(running.socket()).doesNotExist();
        }

        @Test
        void enable_transportNeverReady_failsWithinTheTimeoutAndLeavesNothing() {
            FakePluginRuntime inProcess = FakePluginRuntime.inProcess(FakePluginServer.activating("VolumeDriver"));
            inProcess.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            runtime = inProcess;
            supervisor.close();
            supervisor = supervisor(b -> b.socketTimeout(Duration.ofMillis(300)));

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOf(PluginStartException.class)
                    .hasMessageContaining("did not serve its socket");
            assertThat(inProcess.containers()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
        }

        @Test
        void enable_socketPlugin_runningPluginsTransportIsHttpOverItsSocket() throws IOException {
            RunningPlugin running = supervisor.enable(launch());

            assertThat(running.transport().address()).isEqualTo(running.socket().toString());
            assertThat(running.transport().post("/VolumeDriver.List", new byte[0], Duration.ofSeconds(2), 1024).status())
                    .isEqualTo(200);
        }
    }

    @Nested
    class Disable {
        @Test
        void disable_servingPlugin_sendsTermOnlyAndCleansUp() {
            supervisor.enable(launch());

            assertThat(supervisor.disable(ID)).isTrue();

            assertThat(runtime.signals()).containsExactly(ID + ":TERM");
            assertThat(runtime.containers()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
            assertThat(supervisor.running(ID)).isEmpty();
        }

        @Test
        void disable_pluginIgnoresTerm_isKilledAfterTheStopTimeout() {
            runtime.behavior(FakePluginRuntime.Behavior.SERVE_IGNORING_TERM);
            PluginSupervisor s = supervisor(b -> b.stopTimeout(Duration.ofMillis(200)));
            s.enable(launch());
            long t0 = System.nanoTime();

            s.disable(ID);

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200))
                    .isLessThan(Duration.ofSeconds(2));
            assertThat(runtime.signals()).containsExactly(ID + ":TERM", ID + ":KILL");
            assertThat(runtime.containers()).isEmpty();
            s.close();
        }

        @Test
        void disable_unknownPlugin_returnsFalse() {
            assertThat(supervisor.disable(ID)).isFalse();
        }

        @Test
        void disable_whileARestartIsPending_cancelsIt() throws InterruptedException {
            PluginSupervisor slow = supervisor(b -> b.restartPolicy(
                    new RestartPolicy(3, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1))));
            slow.enable(launch());
            runtime.crash(ID);
            assertThat(nextEvent()).isEqualTo("restarting 1");

            slow.disable(ID);

            assertThat(runtime.starts(ID)).isEqualTo(1);
            assertThat(runtime.containers()).isEmpty();
            assertThat(slow.ids()).isEmpty();
            slow.close();
        }
    }

    @Nested
    class Crash {
        @Test
        void crash_pluginComesBack_isRestartedAndServesAgain() throws InterruptedException, IOException {
            supervisor.enable(launch());

            runtime.crash(ID);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarted 1");
            assertThat(runtime.starts(ID)).isEqualTo(2);
            assertThat(UnixHttpClient.accepts(execRoot.resolve(ID).resolve(SOCKET))).isTrue();
        }

        @Test
        void crash_pluginKeepsExiting_restartsWithBackoffThenGivesUp() throws InterruptedException {
            supervisor.enable(launch());
            runtime.behavior(FakePluginRuntime.Behavior.EXIT_AT_ONCE);

            runtime.crash(ID);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarting 2");
            assertThat(nextEvent()).isEqualTo("gaveUp 2");
            await("cleanup", () -> supervisor.ids().isEmpty());
            assertThat(runtime.starts(ID)).isEqualTo(3);
            assertThat(runtime.containers()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
        }

        @Test
        void crash_afterDisable_isNotRestarted() throws InterruptedException {
            supervisor.enable(launch());
            supervisor.disable(ID);

            runtime.crash(ID);

            assertThat(events.poll(100, TimeUnit.MILLISECONDS)).isNull();
            assertThat(runtime.starts(ID)).isEqualTo(1);
        }
    }

    @Nested
    class Restore {
        @Test
        void restore_stillRunningWithLiveRestore_reattachesWithoutStarting() {
            supervisor.enable(launch());
            supervisor.close();
            PluginSupervisor reopened = supervisor(b -> b);

            RunningPlugin running = reopened.restore(launch(), true);

            assertThat(runtime.starts(ID)).isEqualTo(1);
            assertThat(UnixHttpClient.accepts(running.socket())).isTrue();
            assertThat(reopened.disable(ID)).isTrue();
            assertThat(runtime.containers()).isEmpty();
            supervisor = reopened;
        }

        @Test
        void restore_stillRunningWithoutLiveRestore_restartsIt() {
            supervisor.enable(launch());
            supervisor.close();
            PluginSupervisor reopened = supervisor(b -> b);

            reopened.restore(launch(), false);

            assertThat(runtime.starts(ID)).isEqualTo(2);
            assertThat(runtime.signals()).containsExactly(ID + ":TERM");
            supervisor = reopened;
        }

        @Test
        void restore_notRunning_startsIt() {
            supervisor.restore(launch(), true);

            assertThat(runtime.starts(ID)).isEqualTo(1);
            assertThat(supervisor.running(ID)).isPresent();
        }

        @Test
        void restore_reattachedPluginCrashes_isRestarted() throws InterruptedException {
            supervisor.enable(launch());
            supervisor.close();
            PluginSupervisor reopened = supervisor(b -> b);
            reopened.restore(launch(), true);
            supervisor = reopened;

            runtime.crash(ID);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarted 1");
        }
    }

    @Nested
    class Policy {
        @ParameterizedTest
        @org.junit.jupiter.params.provider.CsvSource({"1, 10", "2, 20", "3, 40", "4, 50", "30, 50"})
        void delay_attempt_doublesUpToTheMax(int attempt, long millis) {
            RestartPolicy policy = new RestartPolicy(5, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ZERO);

            assertThat(policy.delay(attempt)).isEqualTo(Duration.ofMillis(millis));
        }

        @Test
        void launch_idNotAPluginId_isRefused() {
            assertThatThrownBy(() -> new PluginLaunch("../x", "n", PluginConfig.EMPTY, PluginSettings.EMPTY, dir))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Plugin.isId(ID)).isTrue();
        }
    }

    /** Forwards everything to another runtime; tests override what they need. */
    private static class DelegatingRuntime implements PluginRuntime {
        private final PluginRuntime delegate;

        DelegatingRuntime(PluginRuntime delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start(String id, RuntimeSpec spec, Listener listener) {
            delegate.start(id, spec, listener);
        }

        @Override
        public boolean signal(String id, Signal signal) {
            return delegate.signal(id, signal);
        }

        @Override
        public void delete(String id) {
            delegate.delete(id);
        }

        @Override
        public boolean isRunning(String id) {
            return delegate.isRunning(id);
        }

        @Override
        public boolean reattach(String id, Listener listener) {
            return delegate.reattach(id, listener);
        }

        @Override
        public void detach(String id) {
            delegate.detach(id);
        }
    }

    /** An exec root too long for {@code <exec-root>/<id>/<socket>} to be a unix socket address. */
    @Nested
    class LongPaths {
        private Path linkRoot;

        @BeforeEach
        void longExecRoot() throws IOException {
            supervisor.close();
            execRoot = dir.resolve("a-directory-name-long-enough-that-no-socket-under-it-fits-in-a-sockaddr-un-"
                    + "x".repeat(40));
            linkRoot = Files.createDirectories(dir.resolve("l"));
            assertThat(execRoot.resolve(ID).resolve(SOCKET).toString().length()).isGreaterThan(200);
            supervisor = supervisor(b -> b.socketLinkRoot(linkRoot));
        }

        private List<Path> links() throws IOException {
            try (var list = Files.list(linkRoot)) {
                return list.toList();
            }
        }

        @Test
        void enable_longExecRoot_servesThroughAShortPrivateLink() throws IOException {
            RunningPlugin running = supervisor.enable(launch());

            assertThat(running.socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(106);
            assertThat(running.socket()).startsWithRaw(linkRoot.toAbsolutePath());
            assertThat(running.socket().toRealPath())
                    .isEqualTo(execRoot.toAbsolutePath().resolve(ID).resolve(SOCKET).toRealPath());
            assertThat(links()).hasSize(1);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(links().get(0), java.nio.file.LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rwx------");
            assertThat(UnixHttpClient.post(running.socket(), "/VolumeDriver.List", new byte[0], Duration.ofSeconds(2),
                    1024).status()).isEqualTo(200);
            assertThat(running.transport().post("/VolumeDriver.List", new byte[0], Duration.ofSeconds(2), 1024)
                    .status()).isEqualTo(200);
        }

        @Test
        void enable_longExecRootWithActivation_activatesThroughTheLink() {
            supervisor.close();
            supervisor = supervisor(b -> b.socketLinkRoot(linkRoot).activate(true));

            assertThat(supervisor.enable(launch()).implemented()).containsExactly("VolumeDriver");
        }

        @Test
        void disable_longExecRoot_removesTheLink() throws IOException {
            supervisor.enable(launch());

            assertThat(supervisor.disable(ID)).isTrue();

            assertThat(links()).isEmpty();
            assertThat(execRoot.resolve(ID)).doesNotExist();
        }

        @Test
        void enable_longExecRootPluginNeverListens_failsAndRemovesTheLink() throws IOException {
            runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            supervisor.close();
            supervisor = supervisor(b -> b.socketLinkRoot(linkRoot).socketTimeout(Duration.ofMillis(200)));

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOf(PluginStartException.class);

            assertThat(links()).isEmpty();
            assertThat(supervisor.ids()).isEmpty();
        }

        @Test
        void enable_longExecRootTwice_conflictsAndLeavesOneLink() throws IOException {
            supervisor.enable(launch());

            assertThatThrownBy(() -> supervisor.enable(launch())).isInstanceOf(ConflictException.class);

            assertThat(links()).hasSize(1);
        }

        @Test
        void enable_socketReplacedBySymlinkBehindTheLink_isRefused() throws IOException {
            Path elsewhere = dir.resolve("host.sock");
            try (FakePluginServer host = FakePluginServer.start(elsewhere, FakePluginServer.activating("VolumeDriver"))) {
                PluginRuntime planting = new DelegatingRuntime(runtime) {
                    @Override
                    public void start(String id, RuntimeSpec spec, Listener listener) {
                        super.start(id, spec, listener);
                        try {
                            Files.createSymbolicLink(execRoot.toAbsolutePath().resolve(id).resolve(SOCKET), elsewhere);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                };
                runtime.behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
                PluginSupervisor s = PluginSupervisor.builder().runtime(planting).execRoot(execRoot)
                        .socketLinkRoot(linkRoot).stopTimeout(Duration.ofSeconds(1)).build();

                assertThatThrownBy(() -> s.enable(launch())).isInstanceOf(PluginStartException.class)
                        .hasMessageContaining("symbolic link");

                assertThat(host.requests()).isEmpty();
                assertThat(runtime.containers()).isEmpty();
                assertThat(links()).isEmpty();
                s.close();
            }
        }

        @Test
        void crash_longExecRoot_restartServesThroughTheSameLink() throws InterruptedException, IOException {
            RunningPlugin running = supervisor.enable(launch());

            runtime.crash(ID);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarted 1");
            assertThat(UnixHttpClient.accepts(running.socket())).isTrue();
            assertThat(links()).hasSize(1);
        }

        @Test
        void crash_longExecRootPluginKeepsExiting_givingUpRemovesTheLink() throws InterruptedException, IOException {
            supervisor.enable(launch());
            runtime.behavior(FakePluginRuntime.Behavior.EXIT_AT_ONCE);

            runtime.crash(ID);

            assertThat(nextEvent()).isEqualTo("restarting 1");
            assertThat(nextEvent()).isEqualTo("restarting 2");
            assertThat(nextEvent()).isEqualTo("gaveUp 2");
            await("cleanup", () -> supervisor.ids().isEmpty());
            assertThat(links()).isEmpty();
        }

        @Test
        void close_longExecRoot_removesTheLinkAndRestoreMakesANewOne() throws IOException {
            supervisor.enable(launch());
            supervisor.close();
            assertThat(links()).isEmpty();
            PluginSupervisor reopened = supervisor(b -> b.socketLinkRoot(linkRoot));
            supervisor = reopened;

            RunningPlugin running = reopened.restore(launch(), true);

            assertThat(runtime.starts(ID)).isEqualTo(1);
            assertThat(UnixHttpClient.accepts(running.socket())).isTrue();
            assertThat(links()).hasSize(1);
        }

        @Test
        void restore_longExecRootFails_removesTheLink() throws IOException {
            runtime.behavior(FakePluginRuntime.Behavior.FAIL_TO_START);

            assertThatThrownBy(() -> supervisor.restore(launch(), true)).isInstanceOf(PluginStartException.class);

            assertThat(links()).isEmpty();
        }

        @Test
        void enable_socketNameTooLongEvenForTheLink_isRefusedBeforeAnythingStarts() throws IOException {
            assertThatThrownBy(() -> supervisor.enable(launch("s".repeat(100))))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("short link");

            assertThat(runtime.starts(ID)).isZero();
            assertThat(links()).isEmpty();
        }
    }
}
