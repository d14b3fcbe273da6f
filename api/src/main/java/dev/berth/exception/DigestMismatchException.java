package dev.berth.exception;

import dev.berth.oci.Digest;
import java.util.Objects;

/**
 * Content did not hash to the digest it was promised under: a corrupted download, a lying registry or
 * a damaged blob on disk. Never retried silently with the same bytes.
 */
public class DigestMismatchException extends PluginException {
    private static final long serialVersionUID = 1L;

    private final Digest expected;
    private final Digest actual;

    /**
     * @param subject  what was being verified (a blob, a manifest, a layer), for the message
     * @param expected the digest the content was promised under
     * @param actual   the digest the bytes really have
     */
    public DigestMismatchException(String subject, Digest expected, Digest actual) {
        super(Category.SYSTEM, subject + ": digest mismatch: expected " + expected + ", got " + actual);
        this.expected = Objects.requireNonNull(expected, "expected");
        this.actual = Objects.requireNonNull(actual, "actual");
    }

    /** The digest the content was promised under. */
    public Digest expected() {
        return expected;
    }

    /** The digest the bytes really have. */
    public Digest actual() {
        return actual;
    }
}
