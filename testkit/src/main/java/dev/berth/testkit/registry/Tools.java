package dev.berth.testkit.registry;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs integration tests need and decides what happens when one is missing: the
 * test is skipped with a loud message on a developer's machine, and fails when {@code CI=true} (the CI
 * script installs everything, so a missing tool there is a broken build, not a reason to skip).
 */
public final class Tools {
    private Tools() {
    }

    /** The executable on the PATH, if any. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir).resolve(name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The executable, or: the test fails when the environment variable {@code CI} is {@code true}, and is
     * skipped otherwise (with a message on stderr that names the Debian package to install).
     */
    public static Path require(String name, String debianPackage) {
        Optional<Path> p = find(name);
        if (p.isPresent()) {
            return p.get();
        }
        String message = "SKIPPED: '" + name + "' is not installed (apt-get install -y " + debianPackage
                + "); the integration tests that need it did not run";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(name + " is required when CI=true: " + message);
        }
        System.err.println("WARNING " + message);
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    /**
     * Runs a command to completion (60 s at most), returning stdout; throws with stderr on failure.
     */
    public static byte[] run(List<String> command, byte[] stdin) throws IOException {
        Path err = Files.createTempFile("berth-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + Files.readString(err).strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command.get(0), e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
