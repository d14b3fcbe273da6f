package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine;

/**
 * {@code berth --help} and {@code --version} are answered without the command model, and what they print
 * is what picocli prints with the whole model, in both colour modes; anything else still gets the model.
 */
class TopLevelHelpTest {
    @Test
    void resources_areWhatPicocliPrintsForHelp_withAndWithoutColour() throws IOException {
        for (Ansi ansi : List.of(Ansi.OFF, Ansi.ON)) {
            StringWriter out = new StringWriter();
            CommandLine cl = fullModel(new PrintWriter(out), new PrintWriter(new StringWriter()));
            cl.setColorScheme(CommandLine.Help.defaultColorScheme(ansi));
            assertThat(cl.execute("--help")).isZero();
            assertThat(resource(ansi == Ansi.ON ? TopLevelHelp.ANSI : TopLevelHelp.PLAIN))
                    .as("pre-rendered help, ANSI %s", ansi)
                    .isEqualTo(out.toString());
        }
        assertThat(resource(TopLevelHelp.ANSI)).contains("\u001b[").contains("install");
        assertThat(resource(TopLevelHelp.PLAIN)).doesNotContain("\u001b").contains("install");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "--version", "-V"})
    void fastPath_printsWhatTheFullModelPrints(String arg) {
        assertThat(TopLevelHelp.printIfAsked(new String[] {arg}, new PrintWriter(new StringWriter())))
                .as("answered without the model").isTrue();
        StringWriter fastOut = new StringWriter();
        StringWriter fastErr = new StringWriter();
        int fast = Berth.run(new Berth(Terminal.NONE, Map.of()), new String[] {arg},
                new PrintWriter(fastOut), new PrintWriter(fastErr));
        StringWriter fullOut = new StringWriter();
        StringWriter fullErr = new StringWriter();
        int full = fullModel(new PrintWriter(fullOut), new PrintWriter(fullErr)).execute(arg);
        assertThat(fast).isEqualTo(full).isZero();
        assertThat(fastOut.toString()).isEqualTo(fullOut.toString()).isNotEmpty();
        assertThat(fastErr.toString()).isEqualTo(fullErr.toString()).isEmpty();
    }

    @Test
    void picocliAnsiProperty_picksTheColouredText() {
        String before = System.getProperty("picocli.ansi");
        try {
            System.setProperty("picocli.ansi", "true");
            StringWriter out = new StringWriter();
            assertThat(TopLevelHelp.printIfAsked(new String[] {"--help"}, new PrintWriter(out))).isTrue();
            assertThat(out.toString()).isEqualTo(TopLevelHelp.render(Ansi.ON)).contains("\u001b[");
            System.setProperty("picocli.ansi", "false");
            out = new StringWriter();
            assertThat(TopLevelHelp.printIfAsked(new String[] {"--help"}, new PrintWriter(out))).isTrue();
            assertThat(out.toString()).isEqualTo(TopLevelHelp.render(Ansi.OFF));
        } finally {
            restore("picocli.ansi", before);
        }
    }

    @Test
    void otherCommandLines_orAUsageWidth_getTheModel() {
        for (String[] args : List.of(new String[] {}, new String[] {"--help", "--help"}, new String[] {"-hV"},
                new String[] {"help"}, new String[] {"ls"}, new String[] {"-q", "--help"})) {
            StringWriter out = new StringWriter();
            assertThat(TopLevelHelp.printIfAsked(args, new PrintWriter(out))).as(String.join(" ", args)).isFalse();
            assertThat(out.toString()).isEmpty();
        }
        String before = System.getProperty("picocli.usage.width");
        try {
            System.setProperty("picocli.usage.width", "120");
            assertThat(TopLevelHelp.printIfAsked(new String[] {"--help"}, new PrintWriter(new StringWriter()))).isFalse();
            StringWriter out = new StringWriter();
            assertThat(Berth.run(new Berth(Terminal.NONE, Map.of()), new String[] {"--help"},
                    new PrintWriter(out), new PrintWriter(new StringWriter()))).isZero();
            assertThat(out.toString()).contains("Docker client configuration directory, for registry credentials (default:");
        } finally {
            restore("picocli.usage.width", before);
        }
    }

    private static CommandLine fullModel(PrintWriter out, PrintWriter err) {
        return Berth.commandLine(new Berth(Terminal.NONE, Map.of()), out, err, Optional.empty());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TopLevelHelp.class.getResourceAsStream(name)) {
            assertThat(in).as("resource %s (rendered by the build's process-classes step)", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
