package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @Test
    void demo_noEnable_walksTheLifecycleOnALayoutAndCleansUp() {
        Result r = CliRunner.runRaw(Terminal.NONE, "demo", "--no-enable");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("remote oci:", "== create", "== privileges", "== push", "== install", "== list",
                "== inspect", "\"PluginReference\": \"docker.io/berth/sample-plugin:1.0\"", "== set",
                "enable/disable: skipped, --no-enable was given", "Summary:", "0 plugin(s) left");
        assertThat(r.out()).doesNotContain("== call");
        Matcher m = Pattern.compile("root (\\S+)/root ").matcher(r.out());
        assertThat(m.find()).isTrue();
        assertThat(Path.of(m.group(1))).doesNotExist();
    }

    @Test
    void demo_keep_leavesTheFolder() throws IOException {
        Result r = CliRunner.runRaw(Terminal.NONE, "demo", "--no-enable", "--keep");

        Matcher m = Pattern.compile("Kept (\\S+)").matcher(r.out());
        assertThat(m.find()).isTrue();
        Path kept = Path.of(m.group(1));
        assertThat(kept.resolve("layout/index.json")).exists();
        delete(kept);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void demo_whenPluginsCanRun_enablesAndDisablesForReal() {
        Assumptions.assumeTrue(Runtimes.problem().isEmpty(), () -> "plugins cannot run here: " + Runtimes.problem().get());
        Assumptions.assumeTrue(Runtimes.which("gcc").isPresent() && Files.isRegularFile(Path.of("/bin/busybox")),
                "gcc or busybox-static is missing");

        Result r = CliRunner.runRaw(Terminal.NONE, "demo");

        assertThat(r.code()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("the compiled sample plugin and busybox", "== enable", "running, socket /run/bd-",
                "implements [VolumeDriver]", "== call",
                "VolumeDriver: created berth-demo, listed [berth-demo], removed it, listed []", "== disable", "stopped");
    }
}
