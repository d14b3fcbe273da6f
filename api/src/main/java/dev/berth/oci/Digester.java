package dev.berth.oci;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Computes a {@link Digest} and a byte count over data as it streams, so content is verified in the
 * same pass that moves it. Not thread-safe: one digester belongs to one stream.
 */
public final class Digester {
    private final String algorithm;
    private final MessageDigest messageDigest;
    private long count;

    private Digester(String algorithm) {
        this.algorithm = algorithm;
        this.messageDigest = Digest.newMessageDigest(algorithm);
    }

    /** A digester for {@code sha256}. */
    public static Digester sha256() {
        return new Digester(Digest.SHA256);
    }

    /**
     * A digester for the given algorithm.
     *
     * @throws InvalidDigestException if the algorithm is not supported
     */
    public static Digester of(String algorithm) {
        return new Digester(Objects.requireNonNull(algorithm, "algorithm"));
    }

    /** Adds bytes. */
    public void update(byte[] bytes, int offset, int length) {
        messageDigest.update(bytes, offset, length);
        count += length;
    }

    /** Adds one byte. */
    public void update(int b) {
        messageDigest.update((byte) b);
        count++;
    }

    /**
     * An independent digester in the same state: the same algorithm, bytes and count. Updating one
     * does not change the other. Lets a download resume from a prefix hashed elsewhere.
     */
    public Digester copy() {
        Digester d = new Digester(algorithm, clone(messageDigest));
        d.count = count;
        return d;
    }

    private Digester(String algorithm, MessageDigest state) {
        this.algorithm = algorithm;
        this.messageDigest = state;
    }

    private static MessageDigest clone(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's " + md.getAlgorithm() + " cannot be cloned", e);
        }
    }

    /** How many bytes were added so far. */
    public long count() {
        return count;
    }

    /** The digest of the bytes added so far; the digester can keep going after this. */
    public Digest digest() {
        try {
            MessageDigest copy = (MessageDigest) messageDigest.clone();
            return new Digest(algorithm, HexFormat.of().formatHex(copy.digest()));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's " + algorithm + " cannot be cloned", e);
        }
    }

    /**
     * Wraps a stream so that every byte read through it is added to this digester. Closing the
     * returned stream closes {@code in}.
     */
    public InputStream wrap(InputStream in) {
        Objects.requireNonNull(in, "in");
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    update(b);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    update(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // Skipped bytes must still be hashed: read them instead.
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
        };
    }

    /**
     * Wraps a stream so that every byte written through it is added to this digester. Closing the
     * returned stream closes {@code out}.
     */
    public OutputStream wrap(OutputStream out) {
        Objects.requireNonNull(out, "out");
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                update(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                update(b, off, len);
            }
        };
    }
}
