package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.cli.CliRunner.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample plugin really running under runc, driven by separate berth invocations: each command is
 * its own manager, so a later one must re-attach to what an earlier one started. Needs root, runc, gcc
 * with a static libc and busybox-static; skips loudly without them, fails with {@code CI=true}.
 */
class RunningPluginCliTest {
    @TempDir
    Path tmp;

    CliRunner cli;
    Path exec;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        Optional<String> problem = Runtimes.problem();
        if (problem.isEmpty() && (Runtimes.which("gcc").isEmpty() || !Files.isRegularFile(Path.of("/bin/busybox")))) {
            problem = Optional.of("gcc or busybox-static is missing");
        }
        if (problem.isPresent()) {
            String message = "RUNNING-PLUGIN CLI TESTS NOT RUN: " + problem.get();
            System.err.println(message);
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " (CI=true: a skip is a failure)");
            }
            Assumptions.abort(message);
        }
        exec = Files.createDirectory(Path.of("/run", "bt-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt())));
        cli = new CliRunner(tmp, exec);
        Path ctx = Files.createDirectories(tmp.resolve("ctx/rootfs/bin"));
        try (InputStream in = RunningPluginCliTest.class.getResourceAsStream("sample-plugin/config.json")) {
            Files.copy(in, tmp.resolve("ctx/config.json"));
        }
        Path src = tmp.resolve("sample-plugin.c");
        try (InputStream in = RunningPluginCliTest.class.getResourceAsStream("sample-plugin/sample-plugin.c")) {
            Files.copy(in, src);
        }
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", ctx.resolve("sample-plugin").toString(), src.toString())
                .redirectErrorStream(true).start();
        gcc.getInputStream().readAllBytes();
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0).as("gcc -static").isTrue();
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(cli.run("create", "sample:1", tmp.resolve("ctx").toString()).code()).isZero();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (cli != null) {
            cli.run("rm", "-f", "sample:1");
        }
        if (exec != null) {
            // The exec root and, next to it, the runc state directory the tool keeps there.
            for (Path dir : new Path[] {exec, exec.resolveSibling(exec.getFileName() + ".runc")}) {
                if (Files.exists(dir)) {
                    try (Stream<Path> s = Files.walk(dir)) {
                        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        }
    }

    private String id() {
        return cli.run("ls", "-q", "--no-trunc").out().strip();
    }

    @Nested
    class EnableDisable {
        @Test
        void enable_thenDisableInAnotherInvocation_reattachesAndStops() {
            Result enable = cli.run("enable", "sample:1");

            assertThat(enable.code()).as(enable.err()).isZero();
            assertThat(enable.out().strip()).isEqualTo("sample:1");
            assertThat(cli.run("ls").out()).containsPattern("sample:1 .* true");
            assertThat(exec.resolve(id()).resolve("sample.sock")).exists();

            Result disable = cli.run("disable", "sample:1");

            assertThat(disable.code()).as(disable.err()).isZero();
            assertThat(cli.run("ls").out()).containsPattern("sample:1 .* false");
        }

        @Test
        void enable_twice_failsTheSecondTimeWithOneLine() {
            assertThat(cli.run("enable", "sample:1").code()).isZero();

            Result again = cli.run("enable", "sample:1");

            assertThat(again.code()).isEqualTo(Berth.FAILED);
            assertThat(again.err().strip()).isEqualTo("Error response from daemon: plugin already enabled: plugin sample:1 is enabled");
        }

        @Test
        void rm_enabledWithoutForce_refusesAndWithForceStopsAndRemoves() {
            assertThat(cli.run("enable", "sample:1").code()).isZero();

            Result refused = cli.run("rm", "sample:1");
            Result forced = cli.run("rm", "-f", "sample:1");

            assertThat(refused.code()).isEqualTo(Berth.FAILED);
            assertThat(refused.err()).contains("enabled");
            assertThat(forced.code()).as(forced.err()).isZero();
            assertThat(cli.run("ls", "-q").out()).isEmpty();
        }
    }
}
