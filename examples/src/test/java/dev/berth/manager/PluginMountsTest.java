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

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(run("id", "-u").strip().equals("0"), "mount tests need root");
        h = new Harness(temp.resolve("plugins"), Files.createTempDirectory(temp, "x"));
        m = h.open();
        victim = Files.createDirectories(temp.resolve("victim"));
        Files.writeString(victim.resolve("precious"), "keep me");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (m != null) {
            m.close();
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
