package dev.berth.archive.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/**
 * zstd through aircompressor, a pure-Java decoder. Reached by reflection because aircompressor has no
 * module name to {@code require}; alone in its class so either zstd codec may be absent.
 */
final class AircompressorCodec {
    private static final String CLASS = "io.airlift.compress.zstd.ZstdInputStream";
    private static final String OUTPUT_CLASS = "io.airlift.compress.zstd.ZstdOutputStream";

    private AircompressorCodec() {
    }

    static boolean available() {
        try {
            Class.forName(CLASS, false, AircompressorCodec.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static InputStream open(InputStream in) throws IOException {
        try {
            Constructor<?> constructor = Class.forName(CLASS, true, AircompressorCodec.class.getClassLoader())
                    .getConstructor(InputStream.class);
            return (InputStream) constructor.newInstance(in);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("aircompressor failed to open the zstd stream", e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IOException("aircompressor is not usable: " + e, e);
        }
    }

    /** aircompressor's writer (its one level, about zstd's 3); single-threaded, so reproducible. */
    static OutputStream compress(OutputStream out) throws IOException {
        try {
            Constructor<?> constructor = Class.forName(OUTPUT_CLASS, true, AircompressorCodec.class.getClassLoader())
                    .getConstructor(OutputStream.class);
            return (OutputStream) constructor.newInstance(out);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("aircompressor failed to open the zstd writer", e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IOException("aircompressor is not usable: " + e, e);
        }
    }
}
