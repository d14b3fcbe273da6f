package dev.berth.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body of a known length read from a stream into a few reused buffers.
 *
 * <p>Why not {@code BodyPublishers.ofInputStream}: it allocates a fresh array per read, of
 * {@code jdk.httpclient.bufsize} bytes (1 MiB under the {@code berth} command), so a 100 MiB upload
 * allocated and zeroed 100 MiB of garbage on top of the TLS records the JDK allocates anyway (JFR: about
 * 40% of a push's allocations). Here a buffer is handed out again only once the client has consumed it,
 * that is once nothing remains in it: both the TLS writer ({@code SSLEngine.wrap}) and the socket writer
 * advance a buffer's position as they copy or send it and drop it when it is empty. When every pooled
 * buffer is still in flight a new one is made (the client keeps only a few), so a slow consumer costs
 * memory in proportion to what it holds, never a stall.
 *
 * <p>The stream is opened on the first demand and closed at its end, on failure and on cancel. A read that
 * fails is kept ({@link #failure()}) so the caller can report the source's exception rather than the
 * client's wrapping of it.
 */
public final class StreamBody implements HttpRequest.BodyPublisher {
    /** Bytes per buffer: 16 TLS records, or one large socket write. */
    static final int BUFFER = 256 * 1024;
    /** Buffers kept for reuse. */
    static final int POOL = 4;

    private final Callable<InputStream> opener;
    private final long length;
    private volatile Throwable failure;
    private final AtomicInteger allocated = new AtomicInteger();

    private StreamBody(Callable<InputStream> opener, long length) {
        this.opener = opener;
        this.length = length;
    }

    /**
     * A body of exactly {@code length} bytes from the stream {@code opener} gives. More bytes are not
     * read; fewer fail the request.
     */
    public static StreamBody of(Callable<InputStream> opener, long length) {
        Objects.requireNonNull(opener, "opener");
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        return new StreamBody(opener, length);
    }

    @Override
    public long contentLength() {
        return length;
    }

    /** What made reading the stream fail, if it did. */
    public Throwable failure() {
        return failure;
    }

    /** Buffers allocated so far (a measure of reuse, for tests). */
    int allocated() {
        return allocated.get();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Sub s = new Sub(subscriber);
        subscriber.onSubscribe(s);
    }

    private final class Sub implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private final List<ByteBuffer> pool = new ArrayList<>(POOL);
        private InputStream in;
        private long sent;
        private volatile boolean done;

        Sub(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            if (n <= 0) {
                finish();
                subscriber.onError(new IllegalArgumentException("non-positive demand: " + n));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            done = true;
            if (wip.getAndIncrement() == 0) {
                closeQuietly();
            }
        }

        /** Serves demand on one thread at a time; a request made inside onNext is served by the loop. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                while (!done && demand.get() > 0) {
                    ByteBuffer next;
                    try {
                        next = fill();
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                        finish();
                        subscriber.onError(new SourceFailure(e));
                        return;
                    }
                    if (next == null) {
                        finish();
                        subscriber.onComplete();
                        return;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(next);
                }
                if (done) {
                    closeQuietly();
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /** The next buffer of the body, or null at its end. */
        private ByteBuffer fill() throws IOException {
            if (sent >= length) {
                return null;
            }
            if (in == null) {
                try {
                    in = opener.call();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            ByteBuffer b = acquire();
            byte[] a = b.array();
            int want = (int) Math.min(a.length, length - sent);
            int got = 0;
            while (got < want) {
                int n = in.read(a, got, want - got);
                if (n < 0) {
                    throw new IOException("the source ended at byte " + (sent + got) + " of " + length);
                }
                got += n;
            }
            sent += got;
            if (sent == length) {
                // the source's own end check (a verifying stream fails its last read) runs before the
                // last bytes leave, so a bad source never completes a request
                if (in.read() >= 0) {
                    throw new IOException("the source is longer than " + length + " bytes");
                }
            }
            b.limit(got);
            return b;
        }

        /** A consumed pooled buffer, a new pooled one, or (all in flight) a one-off. */
        private ByteBuffer acquire() {
            for (ByteBuffer b : pool) {
                if (!b.hasRemaining()) {
                    b.clear();
                    return b;
                }
            }
            allocated.incrementAndGet();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(1, length)));
            if (pool.size() < POOL) {
                pool.add(b);
            }
            return b;
        }

        private void finish() {
            done = true;
            closeQuietly();
        }

        private void closeQuietly() {
            InputStream s = in;
            in = null;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // the body was read or abandoned already; nothing depends on the close
                }
            }
        }
    }

    /** How a failed read of the source reaches the client: recognisable, so it is not retried. */
    public static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(Throwable cause) {
            super("reading the request body failed: " + cause.getMessage(), cause);
        }

        /** Whether {@code e} or one of its causes is a source failure. */
        public static boolean in(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SourceFailure) {
                    return true;
                }
            }
            return false;
        }
    }
}
