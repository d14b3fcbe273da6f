package dev.berth.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The host paths a plugin's runtime spec refers to.
 *
 * @param rootfs          the plugin's root file system, {@code <root>/<id>/rootfs}
 * @param execDir         the plugin's socket directory, {@code <exec-root>/<id>}, mounted at
 *                        {@code /run/docker/plugins} inside the plugin
 * @param propagatedMount the host directory behind the config's {@code PropagatedMount},
 *                        {@code <root>/<id>/propagated-mount}; only used when the config has one
 */
public record SpecPaths(Path rootfs, Path execDir, Path propagatedMount) {
    /** Checks. */
    public SpecPaths {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(execDir, "execDir");
        Objects.requireNonNull(propagatedMount, "propagatedMount");
    }

    /**
     * Docker's layout, with every path made absolute (the runtime resolves them outside the JVM): the propagated mount is the rootfs's sibling {@code propagated-mount}, outside
     * the rootfs so that a layer can never plant anything in it.
     */
    public static SpecPaths dockerLayout(Path rootfs, Path execDir) {
        Path absolute = Objects.requireNonNull(rootfs, "rootfs").toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("a plugin rootfs cannot be the file system root: " + rootfs);
        }
        return new SpecPaths(absolute, Objects.requireNonNull(execDir, "execDir").toAbsolutePath(),
                parent.resolve("propagated-mount"));
    }
}
