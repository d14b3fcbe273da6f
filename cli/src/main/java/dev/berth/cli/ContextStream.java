package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tar of a create context as a stream, written by a daemon thread as it is read: no temporary
 * file, and the directory is read while the splitter compresses. At most {@value #CHUNKS} chunks of
 * 64 KiB are queued. A failure of the writer is thrown by the reader's next {@code read}; closing the
 * stream early stops the writer.
 */
final class ContextStream extends InputStream {
    private static final int CHUNKS = 16;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CHUNKS);
    private final Thread writer;
    private volatile boolean closed;
    private volatile IOException failure;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean ended;

    private ContextStream(Path dir) {
        writer = new Thread(() -> produce(dir), "berth-context-tar");
        writer.setDaemon(true);
    }

    /** Starts writing the tar of {@code dir}. */
    static InputStream of(Path dir) {
        ContextStream s = new ContextStream(Objects.requireNonNull(dir, "dir"));
        s.writer.start();
        return s;
    }

    private void produce(Path dir) {
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                put(Arrays.copyOfRange(b, off, off + len));
            }
        };
        try {
            ContextTar.write(dir, sink);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException(e.getMessage(), e);
        }
        try {
            put(END);
        } catch (IOException e) {
            // closed by the reader: nobody waits for the end
        }
    }

    private void put(byte[] b) throws IOException {
        try {
            while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    throw new IOException("the context stream was closed");
                }
            }
        } catch (InterruptedException e) {
            throw new InterruptedIOException("stopped writing the context");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (pos == chunk.length) {
            if (ended) {
                return -1;
            }
            try {
                chunk = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the context");
            }
            pos = 0;
            if (chunk == END) {
                ended = true;
                if (failure != null) {
                    throw new IOException("cannot read the context: " + failure.getMessage(), failure);
                }
            }
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        queue.clear(); // frees a writer blocked on a full queue; it sees closed and stops
    }
}
