package dev.berth.progress;

import java.util.Objects;

/**
 * One progress update for one blob.
 *
 * @param id      the blob's short ID: the first 12 hex characters of its digest, as Docker shows it
 * @param status  what is happening
 * @param current bytes done, or 0 when not counted
 * @param total   bytes in all, or 0 when unknown
 */
public record ProgressEvent(String id, ProgressStatus status, long current, long total) {
    /** Checks. */
    public ProgressEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
    }

    /** {@code <id>: <status> [current/total]}, roughly as Docker prints a line without a TTY. */
    @Override
    public String toString() {
        return id + ": " + status.text() + (total > 0 ? " " + current + "/" + total : "");
    }
}
