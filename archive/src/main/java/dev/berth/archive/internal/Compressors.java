package dev.berth.archive.internal;

import java.io.IOException;
import java.io.OutputStream;

/** Picks the zstd writer on the class path: zstd-jni (native, fastest) first, else aircompressor. */
public final class Compressors {
    /** zstd's default level, the one {@code zstd} and containerd use. */
    static final int ZSTD_LEVEL = 3;

    private Compressors() {
    }

    /** Whether a zstd writer is on the class path. */
    public static boolean zstdAvailable() {
        return Decompression.zstdJniAvailable() || AircompressorCodec.available();
    }

    /**
     * A zstd writer over {@code out}; closing it ends the frame and closes {@code out}.
     *
     * @throws dev.berth.rootfs.ArchiveException of kind UNSUPPORTED when no codec is present, naming the
     *                                          dependency to add
     */
    static OutputStream zstd(OutputStream out) throws IOException {
        if (Decompression.zstdJniAvailable()) {
            return ZstdJniCodec.compress(out, ZSTD_LEVEL);
        }
        if (AircompressorCodec.available()) {
            return AircompressorCodec.compress(out);
        }
        throw Errors.of(dev.berth.rootfs.ArchiveException.Kind.UNSUPPORTED, Decompression.MISSING_ZSTD);
    }
}
