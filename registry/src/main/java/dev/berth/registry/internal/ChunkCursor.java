package dev.berth.registry.internal;

import dev.berth.oci.Digester;
import dev.berth.remote.BlobSource;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The source of a chunked upload, read front to back once and hashed as it goes; chunks are slices of
 * that one stream. A chunk sent again (a retried request, or a registry that holds another length) moves
 * the cursor back by reopening the source: to the start of the current chunk with the hash saved there,
 * elsewhere by hashing the source again up to that offset. Chunks are sent one at a time, but the body of an
 * abandoned attempt may still be read by the HTTP client's thread while the next attempt starts: the
 * cursor's methods are synchronized, and only the newest slice reads (an older one fails).
 */
public final class ChunkCursor implements Closeable {
    private final BlobSource source;
    private final String algorithm;
    private InputStream in;
    private Digester digester;
    private long position;
    private long mark = -1;
    private Digester atMark;
    /** Counts slices and moves; only the newest slice reads. */
    private int generation;

    /** A cursor over {@code source}, hashing with {@code algorithm}. Nothing is opened yet. */
    public ChunkCursor(BlobSource source, String algorithm) {
        this.source = Objects.requireNonNull(source, "source");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    }

    /**
     * The bytes {@code [offset, offset + length)} of the source. Closing the slice leaves the source open
     * for the next chunk.
     */
    public synchronized InputStream slice(long offset, long length) throws IOException {
        if (in == null || position != offset) {
            seek(offset);
        }
        if (mark != offset) {
            mark = offset;
            atMark = digester.copy();
        }
        generation++; // a newer slice retires every older one, read to its end or not
        return new Slice(length);
    }

    /** The hash of the bytes read so far. */
    public synchronized Digester digester() {
        if (digester == null) {
            digester = Digester.of(algorithm);
        }
        return digester;
    }

    /** Bytes read so far. */
    public synchronized long position() {
        return position;
    }

    /** Whether the source has no byte after the current position. */
    public synchronized boolean atEnd() throws IOException {
        if (in == null) {
            seek(position);
        }
        return in.read() < 0;
    }

    private void seek(long offset) throws IOException {
        close();
        generation++;
        InputStream raw = source.open();
        try {
            if (offset == mark && atMark != null) {
                raw.skipNBytes(offset); // hashed before: restore the hash saved at the chunk's start
                digester = atMark.copy();
                in = digester.wrap(raw);
            } else {
                digester = Digester.of(algorithm);
                in = digester.wrap(raw);
                in.skipNBytes(offset); // the hash needs every byte before the offset
            }
        } catch (IOException | RuntimeException e) {
            raw.close();
            in = null;
            throw e;
        }
        position = offset;
    }

    @Override
    public synchronized void close() throws IOException {
        InputStream s = in;
        in = null;
        if (s != null) {
            s.close();
        }
    }

    /** A window on the cursor's stream that advances the cursor and does not close the stream. */
    private final class Slice extends InputStream {
        private final int made = generation;
        private long left;

        Slice(long length) {
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (ChunkCursor.this) {
                if (left <= 0) {
                    return -1;
                }
                if (in == null || made != generation) {
                    throw new IOException("the chunk's source moved on (a later attempt reads it)");
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                    position += n;
                }
                return n;
            }
        }
    }
}
