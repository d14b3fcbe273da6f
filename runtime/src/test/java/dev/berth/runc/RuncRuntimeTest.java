package dev.berth.runc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.runtime.PluginRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RuncRuntime's parts that need no runc. */
class RuncRuntimeTest {
    @Nested
    class ProcStartTime {
        @Test
        void procStartTime_liveProcess_isKnown() {
            assertThat(RuncRuntime.procStartTime(ProcessHandle.current().pid())).isNotBlank();
        }

        @Test
        void procStartTime_noSuchProcess_isNull() {
            assertThat(RuncRuntime.procStartTime(Integer.MAX_VALUE)).isNull();
        }

        @Test
        void procStartTime_zombie_countsAsExited() throws IOException, InterruptedException {
            // the child of the exec'd sleep exits at once and is never reaped while the sleep runs
            Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
            try {
                long zombie;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    zombie = Long.parseLong(out.readLine().trim());
                }
                Path stat = Path.of("/proc", Long.toString(zombie), "stat");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.readString(stat).contains(") Z ")) {
                    assertThat(System.nanoTime()).as("child became a zombie").isLessThan(deadline);
                    Thread.onSpinWait();
                }

                assertThat(RuncRuntime.procStartTime(zombie)).isNull();
            } finally {
                parent.destroyForcibly();
                parent.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Nested
    class Build {
        @Test
        void build_nothingSet_namesEveryMissingSetting() {
            assertThatThrownBy(() -> RuncRuntime.builder().build()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("RuncRuntime needs runc, stateRoot, bundleRoot");
        }

        @Test
        void runc_relativePath_isRefused() {
            assertThatThrownBy(() -> RuncRuntime.builder().runc(Path.of("runc")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        }

        @ParameterizedTest
        @ValueSource(strings = {"-x", "../x", "abc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
        void signal_idNotAPluginId_isRefusedBeforeRuncRuns(String id, @TempDir Path dir) {
            try (RuncRuntime runtime = RuncRuntime.builder().runc(Path.of("/nonexistent/runc"))
                    .stateRoot(dir.resolve("s")).bundleRoot(dir.resolve("b")).build()) {
                assertThatThrownBy(() -> runtime.signal(id, PluginRuntime.Signal.TERM))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
