package dev.berth.testkit.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether the real runtime tests can run here: root, {@code runc}, {@code gcc} and
 * {@code busybox-static}. Off CI a missing piece skips the test loudly; with {@code CI=true} it fails
 * it, so CI can never pass by skipping.
 */
public final class RealRuntime {
    private RealRuntime() {
    }

    /** The absolute path of an executable on {@code PATH} (and the sbin directories), if any. */
    public static Optional<Path> which(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** What is missing for the runc tests, empty when everything is there. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root");
        }
        if (which("runc").isEmpty()) {
            missing.add("runc");
        }
        if (which("gcc").isEmpty()) {
            missing.add("gcc");
        }
        if (!Files.isExecutable(TestPluginBuilder.BUSYBOX)) {
            missing.add("busybox-static (" + TestPluginBuilder.BUSYBOX + ")");
        }
        return missing;
    }

    /**
     * Skips the calling test (or fails it when {@code CI=true}) unless root, runc, gcc and busybox are
     * all there.
     *
     * @return the absolute path of runc
     */
    public static Path requireRunc() {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            String message = "runc tests need " + String.join(", ", missing) + " — SKIPPING real-runtime tests";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message.replace("SKIPPING", "FAILING on CI"));
            }
            System.err.println("!!! " + message);
            Assumptions.abort(message);
        }
        return which("runc").orElseThrow();
    }
}
