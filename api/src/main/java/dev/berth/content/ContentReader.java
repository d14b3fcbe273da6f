package dev.berth.content;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Read access to one committed blob, sequential or by offset. Obtained from
 * {@link ContentProvider#reader}; the caller closes it.
 *
 * <p>The reader serves the bytes as stored: it does not re-hash them. Use
 * {@link ContentProvider#verifiedStream} or {@link ContentProvider#verify} when the bytes are about to
 * be trusted (unpacked, parsed, pushed). A reader stays usable after the blob is deleted from the store
 * if the implementation can keep it open (the file store can), until it is closed.
 *
 * <p>{@link #readAt} is safe to call from several threads at once; the streams returned by
 * {@link #stream} are not thread-safe, each belongs to one thread.
 */
public interface ContentReader extends Closeable {
    /** The blob's size in bytes. */
    long size();

    /**
     * Reads bytes starting at {@code position} into {@code dst}, never past the end of the blob.
     *
     * @return how many bytes were read, or {@code -1} if {@code position} is at or past the end
     * @throws IOException if the bytes cannot be read
     */
    int readAt(ByteBuffer dst, long position) throws IOException;

    /**
     * A stream over the bytes from {@code offset} to the end. The stream borrows this reader: closing
     * the stream does not close the reader, and closing the reader ends the stream.
     *
     * @throws IllegalArgumentException if {@code offset} is negative or past the end
     */
    default InputStream stream(long offset) {
        if (offset < 0 || offset > size()) {
            throw new IllegalArgumentException("offset " + offset + " outside a blob of " + size() + " bytes");
        }
        return new ReaderInputStream(this, offset);
    }

    /** Closes the reader; idempotent. */
    @Override
    void close() throws IOException;
}
