package dev.berth.content;

import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads committed blobs. Thread-safe.
 */
public interface ContentProvider {
    /**
     * Opens a reader on a committed blob. The caller closes it.
     *
     * @throws dev.berth.exception.NotFoundException if no blob has this digest
     * @throws IOException                if the blob cannot be opened
     */
    ContentReader reader(Digest digest) throws IOException;

    /**
     * A stream over a blob's bytes as stored, without verification. The caller closes the stream,
     * which closes the underlying reader.
     *
     * @throws dev.berth.exception.NotFoundException if no blob has this digest
     */
    default InputStream stream(Digest digest) throws IOException {
        ContentReader reader = reader(digest);
        return new FilterInputStream(reader.stream(0)) {
            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    /**
     * A stream over a blob's bytes that re-hashes them while they are read: when the end is reached,
     * a blob whose bytes do not hash to its name throws {@link DigestMismatchException} (from
     * {@code read}) instead of reporting the end. Use it for bytes about to be trusted; a caller that
     * stops before the end has verified nothing. The caller closes the stream.
     *
     * @throws dev.berth.exception.NotFoundException if no blob has this digest
     */
    default InputStream verifiedStream(Digest digest) throws IOException {
        Objects.requireNonNull(digest, "digest");
        Digester digester = Digester.of(digest.algorithm());
        InputStream hashed = digester.wrap(stream(digest));
        return new FilterInputStream(hashed) {
            private boolean checked;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    check();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    check();
                }
                return n;
            }

            private void check() {
                if (!checked) {
                    Digest actual = digester.digest();
                    if (!actual.equals(digest)) {
                        throw new DigestMismatchException("blob " + digest, digest, actual);
                    }
                    checked = true;
                }
            }
        };
    }

    /**
     * Re-hashes a whole blob in one streaming pass.
     *
     * @throws DigestMismatchException     if its bytes no longer hash to its name (a corrupted blob)
     * @throws dev.berth.exception.NotFoundException if no blob has this digest
     */
    default void verify(Digest digest) throws IOException {
        try (InputStream in = verifiedStream(digest)) {
            in.transferTo(OutputStreamSink.INSTANCE);
        }
    }
}
