package dev.berth.archive.internal;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The uncompressed tar stream as it is read: hashed for the diff ID and counted against the
 * uncompressed-size cap, in the one pass the tar reader makes. A decompression bomb ends here.
 */
public final class MeteredInputStream extends FilterInputStream {
    private final Digester digester = Digester.sha256();
    private final long max;

    /**
     * @param in  the decompressed stream
     * @param max the most bytes it may have
     */
    public MeteredInputStream(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digester.update(b, off, n);
            if (digester.count() > max) {
                throw Errors.limit("the uncompressed layer is larger than the limit of " + max + " bytes");
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes still count towards the digest.
        byte[] buffer = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what is left, trailing junk after the end-of-archive blocks included, into the digest. */
    public void drain() throws IOException {
        byte[] buffer = new byte[65536];
        while (read(buffer, 0, buffer.length) >= 0) {
            // hashing is the point
        }
    }

    /** The digest of what was read so far. */
    public Digest digest() {
        return digester.digest();
    }

    /** How many bytes were read so far. */
    public long count() {
        return digester.count();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
