package dev.berth;

import dev.berth.progress.ProgressListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one operation runs: where its own progress goes (in addition to the manager's listener) and how
 * long it may take. Immutable.
 *
 * @param progress receives this operation's progress events, each carrying the operation and plugin
 * @param deadline how long the operation may run, counted from its start on the manager's clock; past
 *                 it, the operation stops and is undone with a {@link dev.berth.exception.DeadlineExceededException}
 */
public record OperationOptions(ProgressListener progress, Optional<Duration> deadline) {
    /** Checks. */
    public OperationOptions {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(deadline, "deadline");
        deadline.ifPresent(d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative deadline: " + d);
            }
        });
    }

    /** No listener of its own and no deadline. */
    public static OperationOptions defaults() {
        return new OperationOptions(ProgressListener.NONE, Optional.empty());
    }

    /** These options with {@code listener} as the operation's own progress listener. */
    public OperationOptions withProgress(ProgressListener listener) {
        return new OperationOptions(listener, deadline);
    }

    /** These options with a deadline {@code timeout} after the start. */
    public OperationOptions withDeadline(Duration timeout) {
        return new OperationOptions(progress, Optional.of(timeout));
    }
}
