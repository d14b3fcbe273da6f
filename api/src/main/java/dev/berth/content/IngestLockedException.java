package dev.berth.content;

import dev.berth.exception.UnavailableException;
import java.util.Objects;

/**
 * A writer was asked for a ref that another writer (in this process or, for stores that support it,
 * in another process) holds open. Like containerd's {@code ErrUnavailable}: the caller may retry with
 * backoff, and will then usually resume the ingest or find the blob already committed.
 */
public class IngestLockedException extends UnavailableException {
    private static final long serialVersionUID = 1L;

    private final String ref;

    /**
     * @param ref    the ref that is locked
     * @param detail who holds it and since when, for the message (may be empty)
     */
    public IngestLockedException(String ref, String detail) {
        super("ref " + Objects.requireNonNull(ref, "ref") + " locked"
                + (Objects.requireNonNull(detail, "detail").isEmpty() ? "" : " " + detail));
        this.ref = ref;
    }

    /** The ref that is locked. */
    public String ref() {
        return ref;
    }
}
