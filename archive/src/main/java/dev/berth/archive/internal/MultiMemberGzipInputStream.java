package dev.berth.archive.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Gzip with every member read, as Go's reader does, and trailing bytes that are not a gzip member
 * (NUL padding, junk) drained and ignored. Commons Compress's own concatenated mode throws on such
 * trailers, and the JDK's reader may stop early on a member boundary (JDK-7036144).
 */
public final class MultiMemberGzipInputStream extends InputStream {
    private final BufferedInputStream in;
    private InputStream member;

    /**
     * @param in the compressed stream, positioned at the first member; must support mark/reset so each
     *           member's reader hands back what it read past its trailer
     */
    public MultiMemberGzipInputStream(BufferedInputStream in) throws IOException {
        this.in = in;
        this.member = new GzipCompressorInputStream(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (member != null) {
            int n = member.read(b, off, len);
            if (n >= 0) {
                return n;
            }
            member = nextMember();
        }
        return -1;
    }

    private InputStream nextMember() throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = b0 < 0 ? -1 : in.read();
        if (b0 == 0x1f && b1 == 0x8b) {
            in.reset();
            return new GzipCompressorInputStream(in);
        }
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
            // Trailing bytes after the last member: Docker tolerates them, and so do we.
        }
        return null;
    }

    @Override
    public void close() {
        // The source belongs to the caller.
    }
}
