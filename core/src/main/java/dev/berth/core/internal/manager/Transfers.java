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
            while (true) {
                try {
                    w.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    siblings.cancel();
                } catch (ExecutionException e) {
                    first.compareAndSet(null, new SystemException("transfer failed: " + e.getCause(), e.getCause()));
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first.get() != null) {
            throw first.get();
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
