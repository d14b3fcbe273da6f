package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Progress bars and prompts need a real terminal. From JDK 22 on a {@code System.console()} exists even
 * when output is redirected, so its mere presence must not count: checked in a child JVM of every JDK
 * on the machine (the one running the build, and any other under {@code /usr/lib/jvm}).
 */
class TerminalTest {
    @Test
    void system_outputRedirected_isNotInteractiveOnEveryJdk() throws IOException, InterruptedException {
        List<Path> javas = javas();
        for (Path java : javas) {
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    TerminalProbe.class.getName()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(out).as("interactive() under %s with redirected output", java).isEqualTo("false");
        }
        assertThat(javas).isNotEmpty();
    }

    @Test
    void isTerminal_noConsole_isFalse() {
        assertThat(Terminal.isTerminal(null)).isFalse();
    }

    private static List<Path> javas() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(Path.of(System.getProperty("java.home"), "bin", "java"));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.map(d -> d.resolve("bin").resolve("java")).filter(Files::isExecutable)
                        .filter(j -> !real(j).equals(real(out.get(0))))
                        .distinct().forEach(out::add);
            }
        }
        return out.stream().map(TerminalTest::real).distinct().toList();
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }
}
