package dev.berth.internal.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A request body of a known length, read from a stream when it is sent; a fresh one is made per attempt
 * (the registry client asks its request for one per attempt).
 *
 * <p>The bytes go through one buffer of at most {@link #BUFFER} bytes per send: read from the source,
 * handed to the connection (which writes or encrypts them before it returns) and filled again. Nothing is
 * allocated per read, and a 100 MiB upload holds one buffer, not the blob.
 *
 * <p>The stream is opened when sending starts and closed at its end and on failure. A read that fails is
 * kept ({@link #failure()}) and reaches the connection as a {@link SourceFailure}, so the transport does
 * not retry it and the caller can report the source's exception rather than a network error.
 */
public final class StreamBody {
    /** Bytes per buffer: 16 TLS records, or one large socket write. */
    static final int BUFFER = 256 * 1024;
    private static final StreamBody EMPTY = new StreamBody(() -> InputStream.nullInputStream(), 0);

    /** Where the bytes go: writes all of a buffer before it returns. */
    @FunctionalInterface
    public interface Sink {
        /** Writes every remaining byte of {@code bytes}. */
        void write(ByteBuffer bytes) throws IOException;
    }

    private final Callable<InputStream> opener;
    private final long length;
    private volatile Throwable failure;

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

    /** A body of these bytes (not copied: the caller must not change them). */
    public static StreamBody of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new StreamBody(() -> new ByteArrayInputStream(bytes), bytes.length);
    }

    /** The empty body: {@code Content-Length: 0}. */
    public static StreamBody empty() {
        return EMPTY;
    }

    /** The body's length in bytes. */
    public long length() {
        return length;
    }

    /** What made reading the stream fail, if it did. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Reads the whole body from a freshly opened stream into {@code sink}.
     *
     * @throws SourceFailure when opening or reading the stream failed, or it held fewer or more than
     *                       {@link #length()} bytes; the last bytes are handed over only after the source's
     *                       own end check (a verifying stream fails its last read), so a bad source never
     *                       completes a request
     * @throws IOException   what {@code sink} threw
     */
    public void writeTo(Sink sink) throws IOException {
        if (length == 0) {
            return;
        }
        InputStream in = open();
        try {
            byte[] a = new byte[(int) Math.min(BUFFER, length)];
            ByteBuffer b = ByteBuffer.wrap(a);
            long sent = 0;
            while (sent < length) {
                int want = (int) Math.min(a.length, length - sent);
                int got = 0;
                while (got < want) {
                    int n = read(in, a, got, want - got);
                    if (n < 0) {
                        throw fail(new IOException("the source ended at byte " + (sent + got) + " of " + length));
                    }
                    got += n;
                }
                if (sent + got == length && read(in, new byte[1], 0, 1) >= 0) {
                    throw fail(new IOException("the source is longer than " + length + " bytes"));
                }
                b.clear().limit(got);
                sink.write(b);
                sent += got;
            }
        } finally {
            try {
                in.close();
            } catch (IOException e) {
                // every byte was read or the send failed already; nothing depends on the close
            }
        }
    }

    private InputStream open() throws SourceFailure {
        try {
            return Objects.requireNonNull(opener.call(), "the body's stream");
        } catch (Exception e) {
            throw fail(e);
        }
    }

    private int read(InputStream in, byte[] a, int off, int len) throws SourceFailure {
        try {
            return in.read(a, off, len);
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    private SourceFailure fail(Exception e) {
        failure = e;
        return new SourceFailure(e);
    }

    /** How a failed read of the source reaches the transport: recognisable, so it is not retried. */
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
