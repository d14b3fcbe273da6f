package dev.berth.content;

import java.io.OutputStream;

/** Discards bytes; used to drain a verifying stream. */
final class OutputStreamSink extends OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    private OutputStreamSink() {
    }

    @Override
    public void write(int b) {
    }

    @Override
    public void write(byte[] b, int off, int len) {
    }
}
