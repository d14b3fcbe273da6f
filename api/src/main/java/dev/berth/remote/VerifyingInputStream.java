package dev.berth.remote;

import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Passes bytes through while checking them against a descriptor: more bytes than the size fail at
 * once (so a hostile endless body costs at most one buffer), fewer bytes or another digest fail when
 * the underlying stream ends. The check happens in the read that would return -1, so a consumer that
 * reads to the end cannot miss it. Closing closes the underlying stream. Not thread-safe.
 */
public final class VerifyingInputStream extends InputStream {
    private final InputStream in;
    private final Descriptor descriptor;
    private final Digester digester;
    private boolean verified;

    private VerifyingInputStream(InputStream in, Descriptor descriptor, Digester digester) {
        this.in = in;
        this.descriptor = descriptor;
        this.digester = digester;
    }

    /** Verifies the whole content of {@code descriptor} flowing through {@code in}. */
    public static VerifyingInputStream of(InputStream in, Descriptor descriptor) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(descriptor, "descriptor");
        return new VerifyingInputStream(in, descriptor, Digester.of(descriptor.digest().algorithm()));
    }

    /**
     * Verifies content whose first {@code resume.count()} bytes were already hashed into
     * {@code resume}; {@code in} yields the rest.
     */
    public static VerifyingInputStream resuming(InputStream in, Descriptor descriptor, Digester resume) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(resume, "resume");
        if (resume.count() > descriptor.size()) {
            throw new IllegalArgumentException("resume offset " + resume.count() + " is beyond the size "
                    + descriptor.size() + " of " + descriptor.digest());
        }
        return new VerifyingInputStream(in, descriptor, resume);
    }

    /** How many bytes of the content were seen, including those before a resume offset. */
    public long count() {
        return digester.count();
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
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            verifyEnd();
            return -1;
        }
        if (digester.count() + n > descriptor.size()) {
            throw new RegistryException(RegistryException.Reason.SIZE, descriptor.digest()
                    + ": more than the expected " + descriptor.size() + " bytes");
        }
        digester.update(b, off, n);
        return n;
    }

    private void verifyEnd() {
        if (verified) {
            return;
        }
        if (digester.count() != descriptor.size()) {
            throw new RegistryException(RegistryException.Reason.SIZE, descriptor.digest() + ": got "
                    + digester.count() + " bytes, expected " + descriptor.size());
        }
        Digest actual = digester.digest();
        if (!actual.equals(descriptor.digest())) {
            throw new DigestMismatchException(descriptor.digest().toString(), descriptor.digest(), actual);
        }
        verified = true;
    }

    /** Copies with a 64 KiB buffer: large blobs move at hashing speed instead of 8 KiB at a time. */
    @Override
    public long transferTo(java.io.OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = read(buffer, 0, buffer.length)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
