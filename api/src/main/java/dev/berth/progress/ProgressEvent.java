package dev.berth.progress;

import java.util.Objects;

/**
 * One progress update for one blob of one operation.
 *
 * @param id        the blob's short ID: the first 12 hex characters of its digest, as Docker shows it
 * @param status    what is happening
 * @param current   bytes done, or 0 when not counted
 * @param total     bytes in all, or 0 when unknown
 * @param operation the operation the blob belongs to ({@code install}, {@code upgrade}, {@code create},
 *                  {@code push}, {@code privileges}), or empty when not known
 * @param plugin    the plugin's name (the local name, or the remote reference before it has one), or
 *                  empty when not known
 */
public record ProgressEvent(String id, ProgressStatus status, long current, long total, String operation,
                            String plugin) {
    /** Checks. */
    public ProgressEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(plugin, "plugin");
    }

    /** An update not yet attributed to an operation (the manager fills that in). */
    public ProgressEvent(String id, ProgressStatus status, long current, long total) {
        this(id, status, current, total, "", "");
    }

    /** This update, attributed to {@code operation} on {@code plugin}. */
    public ProgressEvent withContext(String operation, String plugin) {
        return new ProgressEvent(id, status, current, total, operation, plugin);
    }

    /** {@code <id>: <status> [current/total]}, roughly as Docker prints a line without a TTY. */
    @Override
    public String toString() {
        return id + ": " + status.text() + (total > 0 ? " " + current + "/" + total : "");
    }
}
