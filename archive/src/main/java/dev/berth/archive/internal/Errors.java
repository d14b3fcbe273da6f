package dev.berth.archive.internal;

import dev.berth.exception.PluginException.Category;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;

/** Builds the archive errors, so every site words them alike. */
public final class Errors {
    private Errors() {
    }

    /** A refusal of the given kind, of the class Docker reports for layer errors (system). */
    public static ArchiveException of(Kind kind, String message) {
        return new ArchiveException(Category.SYSTEM, kind, message, null);
    }

    /** A refusal of the given kind with a cause. */
    public static ArchiveException of(Kind kind, String message, Throwable cause) {
        return new ArchiveException(Category.SYSTEM, kind, message, cause);
    }

    /** A name, link or resolved path that would leave the root. */
    public static ArchiveException breakout(String entry, String why) {
        return of(Kind.BREAKOUT, "tar entry \"" + entry + "\" " + why);
    }

    /** Malformed content. */
    public static ArchiveException malformed(String entry, String why) {
        return of(Kind.MALFORMED, "tar entry \"" + entry + "\" " + why);
    }

    /** A cap that was hit. */
    public static ArchiveException limit(String what) {
        return of(Kind.LIMIT, what);
    }
}
