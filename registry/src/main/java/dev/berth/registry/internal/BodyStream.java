package dev.berth.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A response body as an {@link InputStream} that gives up when no data arrives for the idle timeout.
 * The JDK's own {@code ofInputStream} blocks forever on a stalled body ({@code HttpRequest.timeout} stops
 * applying once the headers are in, JDK-8258397). Buffers are requested a small window ahead, so memory
 * stays bounded whatever the peer sends. {@link #close()} cancels the exchange and runs the release
 * action once. Reads belong to one thread.
 */
public final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    /**
     * Buffer lists requested ahead of the reader: lets the client's selector thread receive while the
     * reader hashes (a window of 1 serializes the two), and bounds memory to four of the client's buffers
     * (16 KiB each by default, 1 MiB with {@code -Djdk.httpclient.bufsize=1048576}).
     */
    static final int WINDOW = 4;

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Duration idleTimeout;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> pending = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean eof;

    /**
     * @param idleTimeout how long a read may wait for the next bytes
     * @param release     run once when the body ends or is closed (frees a concurrency permit)
     */
    public BodyStream(Duration idleTimeout, Runnable release) {
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.release = Objects.requireNonNull(release, "release");
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed.get()) {
            s.cancel();
        } else {
            s.request(WINDOW);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed.get()) {
            throw new IOException("body stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (pending.hasNext()) {
                current = pending.next();
                continue;
            }
            if (eof) {
                return -1;
            }
            Object next;
            try {
                next = queue.poll(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new java.io.InterruptedIOException("interrupted while reading a response body");
            }
            if (next == null) {
                close();
                throw new HttpTimeoutException("no data received for " + idleTimeout.toMillis() + " ms");
            }
            if (next == END) {
                eof = true;
                releaseOnce();
                return -1;
            }
            if (next instanceof Throwable t) {
                close();
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            pending = list.iterator();
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.remaining();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Flow.Subscription s = subscription;
            if (s != null && !eof) {
                s.cancel();
            }
            queue.clear();
            releaseOnce();
        }
    }

    private final AtomicBoolean released = new AtomicBoolean();

    private void releaseOnce() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
