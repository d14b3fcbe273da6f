package dev.berth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs {@code berth} in-process against one root, capturing its output; a scripted terminal when asked. */
final class CliRunner {
    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    /** A terminal that answers prompts from a script and records them. */
    static final class ScriptedTerminal implements Terminal {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> prompts = new ArrayList<>();

        ScriptedTerminal answer(String... lines) {
            answers.addAll(List.of(lines));
            return this;
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public Optional<String> readLine(String prompt) {
            prompts.add(prompt);
            return Optional.ofNullable(answers.poll());
        }
    }

    private final Path root;
    private final Path execRoot;
    private final Path config;

    CliRunner(Path base) {
        this(base, base.resolve("exec"));
    }

    /** With its own exec root: socket paths must stay under 108 bytes when plugins really run. */
    CliRunner(Path base, Path execRoot) {
        try {
            this.root = Files.createDirectories(base.resolve("root"));
            this.execRoot = Files.createDirectories(execRoot);
            this.config = Files.createDirectories(base.resolve("docker-config"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path root() {
        return root;
    }

    Path execRoot() {
        return execRoot;
    }

    /** The Docker client config directory the runs are given with --config. */
    Path config() {
        return config;
    }

    Result run(String... args) {
        return run(Terminal.NONE, args);
    }

    Result run(Terminal terminal, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--exec-root", execRoot.toString(),
                "--config", config.toString()));
        all.addAll(List.of(args));
        return runRaw(terminal, all.toArray(String[]::new));
    }

    /** Runs without the test's --root, --exec-root and --config. */
    static Result runRaw(Terminal terminal, String... args) {
        return runWithEnv(Map.of("HOME", System.getProperty("java.io.tmpdir")), terminal, args);
    }

    /** Runs with exactly the given environment. */
    static Result runWithEnv(Map<String, String> env, Terminal terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Berth.run(new Berth(terminal, env), args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** A context directory: the config and one file in the rootfs. */
    static Path context(Path dir, String configJson) {
        try {
            Files.createDirectories(dir.resolve("rootfs/bin"));
            Files.writeString(dir.resolve("config.json"), configJson);
            Files.writeString(dir.resolve("rootfs/bin/plugin"), "#!/bin/sh\necho hello\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A config without privileges. */
    static String plainConfig(String description) {
        return "{\"description\":\"" + description + "\",\"entrypoint\":[\"/bin/plugin\"],"
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"},"
                + "\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"}]}";
    }

    /** A config asking for host networking and a capability. */
    static String privilegedConfig() {
        return "{\"description\":\"privileged\",\"entrypoint\":[\"/bin/plugin\"],"
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"},"
                + "\"network\":{\"type\":\"host\"},\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]}}";
    }
}
