package dev.berth.core.internal.manager;

import dev.berth.exception.CancelledException;
import dev.berth.exception.DeadlineExceededException;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the operation running on the current thread is: its name and plugin (for progress events),
 * where its own progress goes, its deadline, and whether it was cancelled. A task opens the outermost
 * scope with its options; every operation opens a named scope inside it, or alone when called
 * directly. The innermost name wins only where the outer scope has none, so an enable that an install
 * performs still reports as the install.
 *
 * <p>Operations call {@link #checkCancelled(Clock)} between steps and, through
 * {@link MeteredInputStream}, on every read of a blob, so a cancel is honoured within one buffer of
 * I/O. A thread's interrupt counts as a cancel, and its status is left set.
 */
public final class OperationScope implements AutoCloseable {
    private static final ThreadLocal<OperationScope> CURRENT = new ThreadLocal<>();

    /** A cancel flag shared between a task's handle and the thread running it. */
    public static final class CancelToken {
        private volatile boolean cancelled;

        /** Requests a cancel; the operation stops at its next check. */
        public void cancel() {
            cancelled = true;
        }

        /** Whether a cancel was requested. */
        public boolean isCancelled() {
            return cancelled;
        }
    }

    private final OperationScope parent;
    /** What this thread's scope was before this one opened; a helper's parent is on another thread. */
    private OperationScope previous;
    private final String operation;
    private final String plugin;
    private final ProgressListener listener;
    private final Optional<Instant> deadline;
    private final CancelToken token;

    private OperationScope(OperationScope parent, String operation, String plugin, ProgressListener listener,
                           Optional<Instant> deadline, CancelToken token) {
        this.parent = parent;
        this.operation = operation;
        this.plugin = plugin;
        this.listener = listener;
        this.deadline = deadline;
        this.token = token;
        this.previous = parent;
    }

    /** Opens the outermost scope of a task on this thread. Close it on the same thread. */
    public static OperationScope task(ProgressListener listener, Optional<Instant> deadline, CancelToken token) {
        OperationScope outer = CURRENT.get();
        OperationScope s = new OperationScope(outer, outer == null ? "" : outer.operation,
                outer == null ? "" : outer.plugin, listener, deadline, token);
        CURRENT.set(s);
        return s;
    }

    /** Opens a named scope for one operation on this thread, inside the current one if any. */
    public static OperationScope open(String operation, String plugin) {
        OperationScope outer = CURRENT.get();
        OperationScope s = outer == null
                ? new OperationScope(null, operation, plugin, ProgressListener.NONE, Optional.empty(), new CancelToken())
                : new OperationScope(outer, outer.operation.isEmpty() ? operation : outer.operation,
                        outer.plugin.isEmpty() ? plugin : outer.plugin, outer.listener, outer.deadline, outer.token);
        CURRENT.set(s);
        return s;
    }

    @Override
    public void close() {
        CURRENT.set(previous);
    }

    /** The scope of the operation running on this thread, to hand to its helper threads. */
    public static Optional<OperationScope> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Opens, on a helper thread of an operation, a scope inside the operation's {@code outer} one (so
     * the helper sees its cancels, deadline and progress listeners) with a cancel token of its own, which
     * the operation uses to stop its other helpers when one fails.
     */
    public static OperationScope helper(Optional<OperationScope> outer, CancelToken siblings) {
        OperationScope o = outer.orElse(null);
        OperationScope s = new OperationScope(o, o == null ? "" : o.operation, o == null ? "" : o.plugin,
                ProgressListener.NONE, Optional.empty(), siblings);
        s.previous = CURRENT.get();
        CURRENT.set(s);
        return s;
    }

    /**
     * The progress listeners of the current scope and the scopes around it (a task's own, and an
     * operation's own when the task runs one with options of its own), each once.
     */
    static List<ProgressListener> listeners() {
        List<ProgressListener> out = new ArrayList<>();
        for (OperationScope s = CURRENT.get(); s != null; s = s.parent) {
            if (s.listener != ProgressListener.NONE && !out.contains(s.listener)) {
                out.add(s.listener);
            }
        }
        return out;
    }

    /** Attributes an event to the current operation and plugin. */
    static ProgressEvent label(ProgressEvent event) {
        OperationScope s = CURRENT.get();
        if (s == null || !event.operation().isEmpty()) {
            return event;
        }
        return event.withContext(s.operation, s.plugin);
    }

    /**
     * Throws if the current operation was cancelled, its thread interrupted or its deadline passed.
     *
     * @throws CancelledException        when cancelled or interrupted (the interrupt status stays set)
     * @throws DeadlineExceededException when the deadline, read on {@code clock}, has passed
     */
    public static void checkCancelled(Clock clock) {
        OperationScope s = CURRENT.get();
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException(describe(s) + " interrupted");
        }
        // Nested scopes (an operation with options of its own, run by a task) each have their say.
        for (OperationScope t = s; t != null; t = t.parent) {
            if (t.token.isCancelled()) {
                throw new CancelledException(describe(s) + " cancelled");
            }
            if (t.deadline.isPresent() && clock.instant().isAfter(t.deadline.get())) {
                throw new DeadlineExceededException(describe(s) + " exceeded its deadline of " + t.deadline.get());
            }
        }
    }

    private static String describe(OperationScope s) {
        if (s == null || s.operation.isEmpty()) {
            return "operation";
        }
        return s.plugin.isEmpty() ? s.operation : s.operation + " of " + s.plugin;
    }

    /**
     * The failure to report for {@code e}: a {@link CancelledException} (with {@code e} as its cause)
     * when the thread is interrupted, since an interrupt usually shows itself as a failed write of an
     * interrupted file channel; {@code e} otherwise.
     */
    public static RuntimeException asCancelled(RuntimeException e) {
        if (e instanceof CancelledException || !Thread.currentThread().isInterrupted()) {
            return e;
        }
        return new CancelledException(describe(CURRENT.get()) + " interrupted: " + e.getMessage(), e);
    }

    /**
     * Runs undo work with the thread's interrupt status cleared, so that an interrupt that stopped the
     * operation does not also stop its undo (an interrupted {@code FileChannel} closes itself), and
     * sets it again afterwards.
     */
    public static void uninterrupted(Runnable undo) {
        boolean interrupted = Thread.interrupted();
        try {
            undo.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
