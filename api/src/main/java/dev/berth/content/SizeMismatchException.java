package dev.berth.content;

import dev.berth.exception.PluginException;
import java.util.Objects;

/**
 * Content has a different size than it was promised to have: more bytes arrived than the expected
 * size, or a commit found fewer or more. A {@link dev.berth.exception.PluginException.Category#SYSTEM} error, like
 * {@link dev.berth.exception.DigestMismatchException}.
 */
public class SizeMismatchException extends PluginException {
    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    /**
     * @param subject  what was being checked, for the message
     * @param expected the promised size
     * @param actual   the size seen (for an overflowing write: at least this many bytes)
     */
    public SizeMismatchException(String subject, long expected, long actual) {
        super(Category.SYSTEM, Objects.requireNonNull(subject, "subject")
                + ": size mismatch: expected " + expected + " bytes, got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    /** The promised size. */
    public long expected() {
        return expected;
    }

    /** The size seen. */
    public long actual() {
        return actual;
    }
}
