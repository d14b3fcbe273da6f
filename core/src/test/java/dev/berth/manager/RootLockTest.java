package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.PluginManager;
import dev.berth.exception.ConflictException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One manager per root: a second waits for the root up to its {@code rootLockWait} and then fails
 * naming the holder's process; two managers that each finish within the wait both succeed.
 */
class RootLockTest {
    @TempDir
    Path temp;
    Harness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new Harness(temp.resolve("plugins"), Files.createTempDirectory(temp, "x"));
    }

    @Test
    void open_rootHeldInThisJvm_failsAtOnceNamingThisProcess() {
        try (PluginManager first = h.open()) {
            assertThat(first.list()).isEmpty();
            assertThatThrownBy(h::open).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("is in use by another plugin manager (process " + ProcessHandle.current().pid() + ")");
        }
    }

    @Test
    void open_rootReleasedWithinTheWait_succeeds() throws Exception {
        PluginManager first = h.open();
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            sleep(300);
            first.close();
        });
        long start = System.nanoTime();
        try (PluginManager second = h.openWith(b -> b.rootLockWait(Duration.ofSeconds(20)))) {
            assertThat(second.list()).isEmpty();
        }
        release.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void open_rootHeldByAnotherProcess_waitsThenNamesItsPid() throws Exception {
        h.open().close();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldRoot.class.getName(), h.root.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("HELD ");
            long start = System.nanoTime();
            assertThatThrownBy(() -> h.openWith(b -> b.rootLockWait(Duration.ofMillis(400))))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("(process " + child.pid() + ")")
                    .hasMessageContaining("waited 400 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));

            child.getOutputStream().close(); // the child lets go ...
            try (PluginManager m = h.openWith(b -> b.rootLockWait(Duration.ofSeconds(30)))) { // ... and we get it
                assertThat(m.list()).isEmpty();
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
