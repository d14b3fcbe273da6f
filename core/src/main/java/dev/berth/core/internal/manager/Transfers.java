package dev.berth.core.internal.manager;

import dev.berth.exception.SystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs the blob transfers of one operation in parallel, bounded: layer downloads of an install, blob
 * uploads of a push. The threads are daemon threads made on first use, so they never hold the JVM
 * open, and end when the manager closes. Each transfer runs inside the operation's scope, so cancels,
 * deadlines and progress reach it. Thread-safe.
 */
public final class Transfers {
    private final AtomicInteger threads = new AtomicInteger();
    private ExecutorService pool;
    private boolean closed;

    /**
     * Runs {@code work} on every item, at most {@code concurrency} at once (on the calling thread alone
     * when that is 1 or there is one item). When one fails the others are asked to stop; every one has
     * ended when this returns, so no transfer still writes while the operation is undone; then the
     * first failure is thrown. An interrupt of the calling thread stops the others too and stays set.
     */
    @SuppressWarnings("try") // the helper scope is held for its effect on the worker thread
    public <T> void each(List<T> items, int concurrency, Consumer<T> work) {
        if (concurrency <= 1 || items.size() <= 1) {
            items.forEach(work);
            return;
        }
        ExecutorService threads = pool();
        Optional<OperationScope> scope = OperationScope.current();
        OperationScope.CancelToken siblings = new OperationScope.CancelToken();
        Queue<T> queue = new ConcurrentLinkedQueue<>(items);
        AtomicReference<RuntimeException> first = new AtomicReference<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(concurrency, items.size()); i++) {
            workers.add(threads.submit(() -> {
                try (OperationScope helper = OperationScope.helper(scope, siblings)) {
                    for (T item; (item = queue.poll()) != null; ) {
                        work.accept(item);
                    }
                } catch (RuntimeException e) {
                    if (first.compareAndSet(null, e)) {
                        siblings.cancel();
                    }
                }
            }));
        }
        boolean interrupted = false;
        for (Future<?> w : workers) {
            interrupted |= join(w, siblings, first);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first.get() != null) {
            throw first.get();
        }
    }

    /** A transfer running on a transfer thread beside the operation's own thread. */
    public static final class Background {
        private final Future<?> future;
        private final OperationScope.CancelToken token;
        private final AtomicReference<RuntimeException> failure;

        private Background(Future<?> future, OperationScope.CancelToken token,
                           AtomicReference<RuntimeException> failure) {
            this.future = future;
            this.token = token;
            this.failure = failure;
        }

        /** Asks the transfer to stop at its next cancel check. */
        public void cancel() {
            token.cancel();
        }

        /**
         * Waits until the transfer has ended and throws what it failed with. An interrupt of the waiting
         * thread cancels the transfer, still waits for its end, and stays set.
         */
        public void await() {
            if (join(future, token, failure)) {
                Thread.currentThread().interrupt();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        }
    }

    /**
     * Starts {@code work} on a transfer thread, inside the operation's scope (cancels, deadlines), and
     * returns at once. The caller must {@link Background#await()} it before the operation ends or is
     * undone.
     */
    @SuppressWarnings("try") // the helper scope is held for its effect on the worker thread
    public Background start(Runnable work) {
        Optional<OperationScope> scope = OperationScope.current();
        OperationScope.CancelToken token = new OperationScope.CancelToken();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Future<?> future = pool().submit(() -> {
            try (OperationScope helper = OperationScope.helper(scope, token)) {
                work.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
        return new Background(future, token, failure);
    }

    /**
     * Waits for {@code worker} to end; an interrupt cancels {@code token} and the wait goes on. An error
     * the worker did not catch becomes {@code first} unless that is set.
     *
     * @return whether the waiting thread was interrupted (the caller sets the flag again)
     */
    private static boolean join(Future<?> worker, OperationScope.CancelToken token,
                                AtomicReference<RuntimeException> first) {
        boolean interrupted = false;
        while (true) {
            try {
                worker.get();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
                token.cancel();
            } catch (ExecutionException e) {
                first.compareAndSet(null, new SystemException("transfer failed: " + e.getCause(), e.getCause()));
                return interrupted;
            }
        }
    }

    private synchronized ExecutorService pool() {
        if (closed) {
            throw new IllegalStateException("the plugin manager is closed");
        }
        if (pool == null) {
            pool = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "berth-transfer-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Ends the threads once their transfers are done; later transfers are refused. */
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.shutdown();
        }
    }
}
