package dev.berth.archive.internal;

import java.io.IOException;

/**
 * Marks a failure of the caller's stream itself (the network, the content store), so it is reported
 * as a system error and not blamed on the archive's content.
 */
public final class SourceReadException extends IOException {
    private static final long serialVersionUID = 1L;

    SourceReadException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    /** Whether the failure, or one of its causes, came from the source. */
    public static boolean isSource(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SourceReadException) {
                return true;
            }
        }
        return false;
    }
}
