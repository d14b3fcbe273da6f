package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine;

/**
 * {@code berth --help} and {@code berth --version} without building the command model.
 *
 * <p>The top-level help lists every subcommand, so picocli would build the model of all nineteen by
 * reflection first (~0.25 s in a fresh JVM, most of what {@code --help} cost). Instead the build renders
 * the help once per colour mode ({@link #main}, run by the cli module's build after compiling) into two
 * resources next to this class, and {@link #printIfAsked} prints the one picocli would choose. The
 * answer is byte for byte what picocli prints: {@code TopLevelHelpTest} compares both resources with
 * picocli's rendering and the fast path's output with the full model's.
 *
 * <p>The fast path is taken only for a command line that is exactly one of {@code -h}, {@code --help},
 * {@code -V}, {@code --version}, and only when no {@code picocli.*} system property but
 * {@code picocli.ansi} is set (a usage width or tracing changes what picocli prints); otherwise, or
 * when a resource is missing (classes compiled by an IDE rather than the build), the caller builds the
 * full model as before.
 */
final class TopLevelHelp {
    /** The help rendered without colour, as picocli prints when ANSI is off. */
    static final String PLAIN = "top-level-help.txt";
    /** The help rendered with ANSI escapes, as picocli prints on a terminal. */
    static final String ANSI = "top-level-help.ansi";

    private TopLevelHelp() {
    }

    /**
     * Prints the top-level help or version when {@code args} asks for exactly that and the pre-rendered
     * text applies.
     *
     * @return whether it printed (the exit code is then 0); false means nothing was written
     */
    static boolean printIfAsked(String[] args, PrintWriter out) {
        if (args.length != 1 || otherPicocliProperty()) {
            return false;
        }
        switch (args[0]) {
            case "-h", "--help" -> {
                // picocli's own detection (picocli.ansi, NO_COLOR, CLICOLOR_FORCE, a console, ...)
                Optional<String> text = resource(Ansi.AUTO.enabled() ? ANSI : PLAIN);
                text.ifPresent(out::print);
                return text.isPresent();
            }
            case "-V", "--version" -> {
                // what picocli prints for mixinStandardHelpOptions' --version: each line as is
                for (String line : new Berth.Version().getVersion()) {
                    out.println(line);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** The top-level help as picocli renders it with the whole command model. */
    static String render(Ansi ansi) {
        StringWriter help = new StringWriter();
        PrintWriter sink = new PrintWriter(new StringWriter());
        CommandLine cl = Berth.commandLine(new Berth(Terminal.NONE, Map.of()), sink, sink, Optional.empty());
        try (PrintWriter out = new PrintWriter(help)) {
            cl.usage(out, CommandLine.Help.defaultColorScheme(ansi));
        }
        return help.toString();
    }

    /**
     * Build step: writes both resources into the given classes directory.
     *
     * @param args the classes directory (the build's {@code target/classes})
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: TopLevelHelp CLASSES_DIR");
        }
        Path dir = Path.of(args[0]).resolve(TopLevelHelp.class.getPackageName().replace('.', '/'));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PLAIN), render(Ansi.OFF), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ANSI), render(Ansi.ON), StandardCharsets.UTF_8);
    }

    private static boolean otherPicocliProperty() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("picocli.") && !name.equals("picocli.ansi")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> resource(String name) {
        try (InputStream in = TopLevelHelp.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the pre-rendered help " + name, e);
        }
    }
}
