package dev.berth;

import dev.berth.core.internal.manager.OperationScope.CancelToken;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.exception.CancelledException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * An operation running in the background, started with {@link PluginManager#submit} or an operation's
 * {@code start()}. Its {@link #result()} completes with the operation's value, or exceptionally with the
 * {@link dev.berth.exception.PluginException} it failed with (a {@link CancelledException} after
 * {@link #cancel()}).
 *
 * <p>A cancel is honoured between the operation's steps and on every read of a blob it transfers, up to
 * the moment the operation commits (the rename that publishes a plugin, the record that marks it
 * enabled): then it has either not happened, and the root is exactly as before, or it has completed.
 * The thread is not interrupted, since an interrupted file channel closes itself, which would disturb
 * the undo; a read blocked on a silent registry ends at the registry client's idle timeout. Thread-safe.
 *
 * @param <T> the operation's result
 */
public final class PluginTask<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final CancelToken token = new CancelToken();

    private PluginTask() {
    }

    /**
     * Starts {@code work} on {@code executor} under {@code options}. A rejected execution completes the
     * task exceptionally at once.
     */
    static <T> PluginTask<T> start(Executor executor, Clock clock, OperationOptions options, Supplier<T> work) {
        PluginTask<T> task = new PluginTask<>();
        Optional<java.time.Instant> deadline = options.deadline().map(d -> clock.instant().plus(d));
        try {
            executor.execute(() -> task.run(options, deadline, work));
        } catch (RejectedExecutionException e) {
            task.result.completeExceptionally(e);
        }
        return task;
    }

    /**
     * Runs {@code work} on the calling thread under {@code options}: its own progress listener and its
     * deadline; the thread's interrupt cancels it.
     */
    @SuppressWarnings("try") // the scope names the task on this thread; it is held, not referenced
    static <T> T runHere(Clock clock, OperationOptions options, Supplier<T> work) {
        Optional<java.time.Instant> deadline = options.deadline().map(d -> clock.instant().plus(d));
        try (OperationScope scope = OperationScope.task(options.progress(), deadline, new CancelToken())) {
            return work.get();
        }
    }

    @SuppressWarnings("try") // the scope names the task on this thread; it is held, not referenced
    private void run(OperationOptions options, Optional<java.time.Instant> deadline, Supplier<T> work) {
        if (token.isCancelled()) {
            result.completeExceptionally(new CancelledException("operation cancelled before it started"));
            return;
        }
        try (OperationScope scope = OperationScope.task(options.progress(), deadline, token)) {
            result.complete(work.get());
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * The result: the operation's value, or its failure. Cancelling this future does not stop the
     * operation; call {@link #cancel()}.
     */
    public CompletableFuture<T> result() {
        return result;
    }

    /**
     * Asks the operation to stop and undo what it began. Returns at once; the operation ends at its next
     * check, and {@link #result()} then fails with a {@link CancelledException}, unless the operation
     * had already committed, in which case it completes normally.
     *
     * @return false if the operation had already finished
     */
    public boolean cancel() {
        token.cancel();
        return !result.isDone();
    }

    /** Whether the operation has finished, one way or another. */
    public boolean isDone() {
        return result.isDone();
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelRequested() {
        return token.isCancelled();
    }
}
