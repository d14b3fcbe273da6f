package dev.berth.rootfs;

import java.util.Objects;

/**
 * How a layer is applied beyond confinement, which is not negotiable: ownership, special files,
 * extended attributes and limits.
 *
 * @param ownership    whether entries' numeric uid/gid are applied
 * @param specialFiles what to do with FIFOs and block or character devices
 * @param xattrs       whether {@code user.*} extended attributes from PAX {@code SCHILY.xattr.} records are
 *                     applied; other namespaces (security, trusted, system) are always dropped with a debug
 *                     log, so file capabilities do not survive
 * @param limits       the resource caps
 */
public record RootfsPolicy(Ownership ownership, SpecialFiles specialFiles, boolean xattrs, RootfsLimits limits) {

    /** Whether entries' owners are applied. */
    public enum Ownership {
        /**
         * Apply the numeric uid and gid with {@code lchown} when the process may (as root); skip otherwise.
         * User and group names in the archive are never looked up.
         */
        PRESERVE,
        /** Leave every file owned by the process. */
        IGNORE
    }

    /** What to do with FIFO and device entries. */
    public enum SpecialFiles {
        /** Create them when possible (devices need root and the default file system); skip with a warning otherwise. */
        CREATE_OR_SKIP,
        /** Create them; fail with {@link ArchiveException.Kind#UNSUPPORTED} when that is impossible. */
        CREATE,
        /** Skip them with a warning. */
        SKIP,
        /** Fail with {@link ArchiveException.Kind#MALFORMED} on the first one. */
        REJECT
    }

    /** Validates. */
    public RootfsPolicy {
        Objects.requireNonNull(ownership, "ownership");
        Objects.requireNonNull(specialFiles, "specialFiles");
        Objects.requireNonNull(limits, "limits");
    }

    /** Preserve owners when permitted, create special files when possible, no xattrs, default limits. */
    public static RootfsPolicy defaults() {
        return new RootfsPolicy(Ownership.PRESERVE, SpecialFiles.CREATE_OR_SKIP, false, RootfsLimits.defaults());
    }

    /** A copy with another ownership rule. */
    public RootfsPolicy withOwnership(Ownership value) {
        return new RootfsPolicy(value, specialFiles, xattrs, limits);
    }

    /** A copy with another special-file rule. */
    public RootfsPolicy withSpecialFiles(SpecialFiles value) {
        return new RootfsPolicy(ownership, value, xattrs, limits);
    }

    /** A copy with xattrs applied or not. */
    public RootfsPolicy withXattrs(boolean value) {
        return new RootfsPolicy(ownership, specialFiles, value, limits);
    }

    /** A copy with other limits. */
    public RootfsPolicy withLimits(RootfsLimits value) {
        return new RootfsPolicy(ownership, specialFiles, xattrs, value);
    }
}
