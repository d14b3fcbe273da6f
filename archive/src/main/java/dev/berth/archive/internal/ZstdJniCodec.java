package dev.berth.archive.internal;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * zstd through zstd-jni. Alone in its class so that the JVM loads it only when zstd-jni is present.
 * Ask {@link Decompression#zstdJniAvailable()} first: linking this class verifies {@link #open}, which
 * loads zstd-jni's classes, so even a presence check placed here would throw NoClassDefFoundError.
 */
final class ZstdJniCodec {
    /** zstd's own default ceiling: 128 MiB windows; a frame asking for more is refused, not allocated. */
    static final int WINDOW_LOG_MAX = 27;

    private ZstdJniCodec() {
    }

    static InputStream open(InputStream in) throws IOException {
        try {
            ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(in);
            zstd.setLongMax(WINDOW_LOG_MAX);
            return zstd;
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("zstd-jni cannot load its native library: " + e.getMessage(), e);
        }
    }

    /** A zstd writer at {@code level}, single-threaded so the bytes do not depend on the machine. */
    static OutputStream compress(OutputStream out, int level) throws IOException {
        try {
            return new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(out, level);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("zstd-jni cannot load its native library: " + e.getMessage(), e);
        }
    }
}
