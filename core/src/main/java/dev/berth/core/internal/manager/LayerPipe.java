package dev.berth.core.internal.manager;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * A bounded byte pipe from a layer's download thread to the thread that applies it, so one pass over the
 * bytes both stores and extracts them. The writer blocks while the pipe is full (the download goes at the
 * applier's pace, and memory stays at {@link #CAPACITY} bytes whatever the layer's size); the reader
 * blocks while it is empty.
 *
 * <p>Ends: the writer {@link #finish()}es only once the blob is committed to the store (verified), so a
 * reader that sees the end of the stream has read verified bytes; a failed download {@link #fail}s the
 * pipe and the reader's next read throws. A reader that is done early, or failed, closes its stream, and
 * the writer then drops what it would have written: the download still completes into the store, so its
 * verification still decides whether the bytes were what the registry promised.
 */
final class LayerPipe {
    /** Bytes held between the two threads. */
    static final int CAPACITY = 1024 * 1024;

    private final byte[] ring = new byte[CAPACITY];
    private int start;
    private int count;
    private boolean finished;
    private Throwable failure;
    private boolean readerClosed;
    private final InputStream input = new Input();

    /**
     * Hands {@code len} bytes to the reader, waiting for room; drops them once the reader closed.
     *
     * @throws IOException when the wait was interrupted
     */
    synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            while (count == CAPACITY && !readerClosed) {
                waitHere();
            }
            if (readerClosed) {
                return;
            }
            int end = (start + count) % CAPACITY;
            int n = Math.min(len, Math.min(CAPACITY - count, CAPACITY - end));
            System.arraycopy(b, off, ring, end, n);
            count += n;
            off += n;
            len -= n;
            notifyAll();
        }
    }

    /** The reader sees the end of the stream once it has read what was written. */
    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    /** The reader's next read throws with {@code cause} (a failed download: what is buffered is moot). */
    synchronized void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        notifyAll();
    }

    /** The failure the writer reported, or null. */
    synchronized Throwable failure() {
        return failure;
    }

    /**
     * {@code source} with every byte read from it also written here; a read that fails fails the pipe
     * too. The end of {@code source} does not {@link #finish()} the pipe: the download does, once the
     * blob is committed.
     */
    InputStream tee(InputStream source) {
        return new FilterInputStream(source) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    fail(e);
                    throw e;
                }
                if (n > 0) {
                    write(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                throw new IOException("a streamed layer cannot skip");
            }
        };
    }

    /** The reading end; closing it lets the writer finish without the reader. */
    InputStream input() {
        return input;
    }

    private void waitHere() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while streaming a layer");
        }
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            synchronized (LayerPipe.this) {
                while (true) {
                    if (readerClosed) {
                        throw new IOException("layer stream closed");
                    }
                    if (failure != null) {
                        throw new IOException("the layer's download failed: " + failure.getMessage(), failure);
                    }
                    if (len == 0) {
                        return 0;
                    }
                    if (count > 0) {
                        int n = Math.min(len, Math.min(count, CAPACITY - start));
                        System.arraycopy(ring, start, b, off, n);
                        start = (start + n) % CAPACITY;
                        count -= n;
                        LayerPipe.this.notifyAll();
                        return n;
                    }
                    if (finished) {
                        return -1;
                    }
                    waitHere();
                }
            }
        }

        @Override
        public int available() {
            synchronized (LayerPipe.this) {
                return readerClosed ? 0 : count;
            }
        }

        @Override
        public void close() {
            synchronized (LayerPipe.this) {
                readerClosed = true;
                LayerPipe.this.notifyAll();
            }
        }
    }
}
