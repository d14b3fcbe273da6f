package dev.berth.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of a {@link Http1Client} response, decoded from its framing as it is read. A body that ends
 * early (the connection closed before {@code Content-Length} bytes or inside a chunk) fails with an
 * {@link IOException}, so the caller resumes or retries instead of taking a short body for a whole one.
 * Each wait for bytes gives up after the idle timeout. Reads belong to one thread; {@link #close()} may
 * come from any and makes a waiting read fail at once.
 */
final class Http1Body extends InputStream {
    /** The longest chunk-size line (with extensions) accepted. */
    static final int MAX_CHUNK_LINE = 4096;
    /** The most trailer bytes accepted after the last chunk. */
    static final int MAX_TRAILERS = 64 * 1024;

    private final Http1Client.Connection connection;
    private final Http1Head.Framing framing;
    private final Duration idleTimeout;
    private final Runnable release;
    private final boolean reusable;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the connection has been recycled or closed: the body never touches it again. */
    private final AtomicBoolean handedOff = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    /** Bytes left in the body (LENGTH) or in the current chunk (CHUNKED). */
    private volatile long remaining;
    private final long declared;
    private boolean chunkOpen;
    private volatile boolean eof;

    /**
     * @param reusable whether the connection may carry another request once this body was read to its
     *                 declared end ({@link Http1Head#reusable})
     */
    Http1Body(Http1Client.Connection connection, Http1Head.Framing framing, OptionalLong contentLength,
              boolean reusable, Duration idleTimeout, Runnable release) {
        this.reusable = reusable;
        this.connection = Objects.requireNonNull(connection, "connection");
        this.framing = Objects.requireNonNull(framing, "framing");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.release = Objects.requireNonNull(release, "release");
        this.declared = framing == Http1Head.Framing.LENGTH ? contentLength.orElseThrow() : -1;
        this.remaining = Math.max(0, declared);
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
        synchronized (connection) {
            if (closed.get()) {
                throw new IOException("body stream closed");
            }
            if (eof) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            try {
                return switch (framing) {
                    case NONE -> end();
                    case UNTIL_CLOSE -> {
                        int n = take(b, off, len);
                        yield n < 0 ? end() : n;
                    }
                    case LENGTH -> {
                        if (remaining == 0) {
                            yield end();
                        }
                        int n = take(b, off, (int) Math.min(len, remaining));
                        if (n < 0) {
                            throw new IOException("connection closed after " + (declared - remaining) + " of "
                                    + declared + " bytes");
                        }
                        remaining -= n;
                        yield n;
                    }
                    case CHUNKED -> {
                        if (remaining == 0 && !nextChunk()) {
                            yield end();
                        }
                        int n = take(b, off, (int) Math.min(len, remaining));
                        if (n < 0) {
                            throw new IOException("connection closed inside a chunk");
                        }
                        remaining -= n;
                        yield n;
                    }
                };
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** Copies up to {@code len} received bytes, receiving more first when none are buffered; -1 at EOF. */
    private int take(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = connection.buffer();
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    private int fill() throws IOException {
        return connection.fill(System.nanoTime() + idleTimeout.toNanos(),
                "no data received for " + idleTimeout.toMillis() + " ms");
    }

    /** Starts the next chunk; false after the last one (and its trailers) was read. */
    private boolean nextChunk() throws IOException {
        if (chunkOpen) {
            try {
                readLine(0); // the CRLF that ends the chunk's data
            } catch (ProtocolException e) {
                throw new ProtocolException("chunk data longer than its size");
            }
        }
        String line = readLine(MAX_CHUNK_LINE);
        int semicolon = line.indexOf(';');
        String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
        long size = parseChunkSize(hex);
        if (size == 0) {
            int trailers = 0;
            String trailer;
            do {
                trailer = readLine(MAX_TRAILERS);
                trailers += trailer.length() + 2;
                if (trailers > MAX_TRAILERS) {
                    throw new ProtocolException("trailers larger than " + MAX_TRAILERS + " bytes");
                }
            } while (!trailer.isEmpty());
            chunkOpen = false;
            return false;
        }
        remaining = size;
        chunkOpen = true;
        return true;
    }

    private static long parseChunkSize(String hex) throws ProtocolException {
        // 15 hex digits cannot overflow a long; nobody sends an exabyte chunk
        if (hex.isEmpty() || hex.length() > 15) {
            throw new ProtocolException("invalid chunk size");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new ProtocolException("invalid chunk size");
            }
            size = size * 16 + d;
        }
        return size;
    }

    /** A line ended by CRLF, without it; refused when longer than {@code max}. */
    private String readLine(int max) throws IOException {
        while (true) {
            ByteBuffer buffer = connection.buffer();
            int limit = Math.min(buffer.limit(), buffer.position() + max + 2);
            for (int i = buffer.position(); i < limit; i++) {
                if (buffer.get(i) == '\n') {
                    if (i == buffer.position() || buffer.get(i - 1) != '\r') {
                        throw new ProtocolException("line in a chunked body not ended by CRLF");
                    }
                    byte[] line = new byte[i - 1 - buffer.position()];
                    buffer.get(line);
                    buffer.position(i + 1);
                    return new String(line, StandardCharsets.ISO_8859_1);
                }
            }
            if (buffer.remaining() >= max + 2) {
                throw new ProtocolException("line in a chunked body longer than " + max + " bytes");
            }
            if (fill() < 0) {
                throw new IOException("connection closed inside a chunked body");
            }
        }
    }

    private int end() {
        eof = true;
        handOff(true);
        releaseOnce();
        return -1;
    }

    /** Recycles the connection when the whole body was read and the response allows it; closes it otherwise. */
    private void handOff(boolean complete) {
        if (handedOff.compareAndSet(false, true)) {
            if (complete && reusable) {
                connection.recycle();
            } else {
                connection.close();
            }
        }
    }

    @Override
    public int available() {
        synchronized (connection) {
            if (closed.get() || eof || framing == Http1Head.Framing.NONE) {
                return 0;
            }
            try {
                long buffered = connection.buffer().remaining();
                long bound = framing == Http1Head.Framing.LENGTH || framing == Http1Head.Framing.CHUNKED
                        ? remaining : buffered;
                return (int) Math.min(buffered, bound);
            } catch (IOException e) {
                return 0;
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // a caller that read exactly Content-Length bytes and closed without reading the end
            boolean complete = eof || (framing == Http1Head.Framing.LENGTH && remaining == 0)
                    || framing == Http1Head.Framing.NONE;
            handOff(complete);
            releaseOnce();
        }
    }

    private void releaseOnce() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
