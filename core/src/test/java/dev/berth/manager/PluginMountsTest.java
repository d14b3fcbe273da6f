package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.PluginManager;
import dev.berth.plugin.Plugin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's TestManagerWithPluginMounts, and the data-loss case behind it: removing a plugin unmounts
 * what is mounted inside its directory instead of deleting through it, and touches no other plugin.
 * Needs root (CI runs as root).
 */
class PluginMountsTest {
    @TempDir
    Path temp;
    Harness h;
    PluginManager m;
    Path victim;
    Path execRoot;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(run("id", "-u").strip().equals("0"), "mount tests need root");
        // Unix socket paths are short: keep the exec root near the file system root.
        execRoot = Files.createTempDirectory(Path.of("/tmp"), "bm");
        h = new Harness(temp.resolve("plugins"), execRoot);
        m = h.open();
        victim = Files.createDirectories(temp.resolve("victim"));
        Files.writeString(victim.resolve("precious"), "keep me");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (m != null) {
            m.close();
        }
        if (execRoot != null) {
            try (var walk = Files.walk(execRoot)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
        if (h != null) {
            // Whatever a failed test left mounted under the temp dir must not outlive it.
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mountPoint = line.split(" ")[4];
                if (mountPoint.startsWith(temp.toString())) {
                    run("umount", "-l", mountPoint);
                }
            }
        }
    }

    @Test
    void remove_unmountsInsideThePlugin_neverDeletesThroughIt_andSparesOtherPlugins() throws Exception {
        Plugin a = m.create("a", new ByteArrayInputStream(Contexts.simple()));
        Plugin b = m.create("b", new ByteArrayInputStream(Contexts.simple()));
        Path aData = Files.createDirectories(h.root.resolve(a.id()).resolve("rootfs/data"));
        Path aTmp = Files.createDirectories(h.root.resolve(a.id()).resolve("rootfs/tmp"));
        Path bTmp = Files.createDirectories(h.root.resolve(b.id()).resolve("rootfs/tmp"));
        run("mount", "--bind", victim.toString(), aData.toString());
        run("mount", "-t", "tmpfs", "tmpfs", aTmp.toString());
        run("mount", "-t", "tmpfs", "tmpfs", bTmp.toString());

        m.remove("a", true);

        assertThat(Files.exists(h.root.resolve(a.id()))).isFalse();
        assertThat(Files.readString(victim.resolve("precious"))).isEqualTo("keep me");
        assertThat(mounted(bTmp)).isTrue();
        assertThat(m.list()).extracting(Plugin::name).containsExactly("b:latest");
    }

    @Test
    void enable_propagatedMount_isSharedWithTheHost_untilDisable() throws Exception {
        m.close();
        h.runtime = new dev.berth.testkit.runtime.FakePluginRuntime("p.sock", "VolumeDriver");
        m = h.open();
        Plugin p = m.create("vol", new ByteArrayInputStream(Contexts.tar(
                Contexts.config("p.sock", "\"propagatedMount\":\"/data\""), java.util.Map.of())));
        Path prop = h.root.resolve(p.id()).resolve("propagated-mount");

        m.enable("vol", java.time.Duration.ofSeconds(5));
        assertThat(mountInfo(prop)).as("mountinfo of %s", prop).contains("shared:");

        m.disable("vol", false);
        assertThat(mounted(prop)).isFalse();
    }

    private static String mountInfo(Path p) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals(p.toString())).findFirst().orElse("");
    }

    private static boolean mounted(Path p) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
        return out;
    }
}
