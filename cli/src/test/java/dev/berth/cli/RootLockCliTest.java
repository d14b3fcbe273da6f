package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth} commands run side by side on one root take turns: a command waits for the root while
 * another manager holds it, and both succeed.
 */
class RootLockCliTest {
    @TempDir
    Path temp;

    @Test
    void command_whileAnotherManagerHoldsTheRoot_waitsAndThenSucceeds() throws Exception {
        Path root = temp.resolve("root");
        Process ls;
        try (PluginManager holder = PluginManager.builder().root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(new InMemoryRegistry()).rootfsApplier(TarRootfsApplier.create()).build()) {
            ls = berth(root, "ls", "-q");
            // Still waiting after a second: it neither failed at once nor got past the lock.
            assertThat(ls.waitFor(1, TimeUnit.SECONDS)).as("ls returned while the root was held").isFalse();
            assertThat(holder.list()).isEmpty();
        }
        assertThat(ls.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ls.exitValue()).as(output(ls)).isZero();
    }

    @Test
    void twoCreates_sideBySide_bothSucceed() throws Exception {
        Path root = temp.resolve("root");
        List<Process> creates = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            Path ctx = CliRunner.context(temp.resolve("ctx-" + name), CliRunner.plainConfig(name));
            creates.add(berth(root, "create", name, ctx.toString()));
        }
        for (Process p : creates) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output(p)).isZero();
        }
        Process ls = berth(root, "ls", "--format", "{{.Name}}");
        assertThat(ls.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output(ls).lines()).containsExactlyInAnyOrder("one:latest", "two:latest");
    }

    private Process berth(Path root, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Berth.class.getName(),
                "--root", root.toString(), "--exec-root", temp.resolve("exec").toString(),
                "--config", temp.resolve("config").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
