package dev.berth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether plugins can run on this machine: runc must be installed and the process must be root. */
final class Runtimes {
    private Runtimes() {
    }

    /** The first executable found in {@code PATH} (then the usual system directories). */
    static Optional<Path> which(String name) {
        String path = System.getenv("PATH");
        String dirs = (path == null ? "" : path + ":") + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (String d : dirs.split(":")) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    static Optional<Path> runc() {
        return which("runc");
    }

    /** Whether the process runs as root (uid 0). */
    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Why plugins cannot run here, or empty when they can. */
    static Optional<String> problem() {
        if (runc().isEmpty()) {
            return Optional.of("runc is not installed");
        }
        if (!isRoot()) {
            return Optional.of("running plugins needs root, and this process is not root");
        }
        return Optional.empty();
    }
}
