package dev.berth.rootfs;

import dev.berth.exception.PluginException;
import java.util.Objects;

/**
 * A layer or create-context archive was refused: it tried to leave its root, is malformed, hit a
 * configured limit, uses an unsupported format, or (for a create context) lacks or garbles its
 * {@code config.json}.
 *
 * <p>Callers and tests branch on {@link #kind()}, not on the message. The message names the entry and
 * what was wrong with it.
 */
public class ArchiveException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** Why an archive was refused; the attack catalog's error kinds. */
    public enum Kind {
        /** A name, link target, whiteout or resolved parent would leave the root ({@code E_BREAKOUT}). */
        BREAKOUT,
        /** Malformed or unsupported content: bad header, unknown entry type, truncated stream ({@code E_ARCHIVE}). */
        MALFORMED,
        /** A configured resource cap was hit ({@code E_LIMIT}). */
        LIMIT,
        /** The media type or compression is not supported ({@code E_MANIFEST}). */
        UNSUPPORTED,
        /** A create context has no, several, or a non-regular {@code config.json}, or no rootfs ({@code E_CONFIG}). */
        CONFIG
    }

    private final Kind kind;

    /**
     * @param category the Engine API error class
     * @param kind     why the archive was refused
     * @param message  the message, naming the entry
     * @param cause    the underlying failure, may be null
     */
    public ArchiveException(Category category, Kind kind, String message, Throwable cause) {
        super(category, message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** An error of the {@link Category#SYSTEM} class, as Docker reports a failed layer application. */
    public ArchiveException(Kind kind, String message) {
        this(Category.SYSTEM, kind, message, null);
    }

    /** Why the archive was refused. */
    public Kind kind() {
        return kind;
    }
}
