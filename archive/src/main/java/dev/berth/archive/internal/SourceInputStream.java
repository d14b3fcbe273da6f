package dev.berth.archive.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Wraps the caller's stream: tags its failures and never closes it (the caller does). */
public final class SourceInputStream extends FilterInputStream {
    /** @param in the caller's stream */
    public SourceInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw new SourceReadException(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw new SourceReadException(e);
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() {
        // The caller owns the stream.
    }
}
