package dev.berth.archive.internal;

import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException.Kind;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Chooses the decompressor for a layer from its media type, or from its magic bytes when the type is
 * generic. A declared compression must match the bytes: a mismatch is refused instead of guessed,
 * so what was verified and what is unpacked are described alike.
 */
public final class Decompression {
    /** The compressions Berth reads. */
    public enum Format { TAR, GZIP, ZSTD }

    /** Names the Maven coordinates to add, so the fix is in the message. */
    static final String MISSING_ZSTD = "zstd-compressed layers need a zstd codec on the class path:"
            + " add the optional dependency com.github.luben:zstd-jni (or io.airlift:aircompressor,"
            + " pure Java) to your build";

    private Decompression() {
    }

    /** Which zstd decoder is on the class path, if any: "zstd-jni", "aircompressor" or "none". */
    public static String zstdCodec() {
        if (zstdJniAvailable()) {
            return "zstd-jni";
        }
        return AircompressorCodec.available() ? "aircompressor" : "none";
    }

    /**
     * Opens the uncompressed stream.
     *
     * @param in        the buffered compressed stream, positioned at its start
     * @param mediaType the declared media type
     */
    public static InputStream open(BufferedInputStream in, String mediaType) throws IOException {
        Format sniffed = sniff(in);
        Format declared = declared(mediaType);
        Format format = declared == null ? sniffed : declared;
        if (declared != null && declared != sniffed) {
            throw Errors.of(Kind.UNSUPPORTED, "layer media type " + mediaType + " says " + name(declared)
                    + " but the bytes are " + name(sniffed));
        }
        return switch (format) {
            case TAR -> in;
            case GZIP -> new MultiMemberGzipInputStream(in);
            case ZSTD -> zstd(in);
        };
    }

    /** The format the media type declares, or null when it is generic and the bytes decide. */
    static Format declared(String mediaType) {
        if (mediaType.equals(MediaTypes.OCTET_STREAM) || mediaType.isEmpty()) {
            return null;
        }
        return switch (MediaTypes.layerCompression(mediaType)) {
            case NONE -> Format.TAR;
            case GZIP -> Format.GZIP;
            case ZSTD -> Format.ZSTD;
            case UNKNOWN -> throw Errors.of(Kind.UNSUPPORTED, "unsupported layer media type \"" + mediaType + "\"");
        };
    }

    /** Reads the magic bytes and rewinds. bzip2 and xz are refused, as Berth does not ship them. */
    static Format sniff(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] magic = new byte[6];
        int n = 0;
        while (n < magic.length) {
            int r = in.read(magic, n, magic.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        in.reset();
        if (n >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return Format.GZIP;
        }
        if (n >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return Format.ZSTD;
        }
        if (n >= 4 && (magic[0] & 0xf0) == 0x50 && (magic[1] & 0xff) == 0x2a && (magic[2] & 0xff) == 0x4d
                && (magic[3] & 0xff) == 0x18) {
            return Format.ZSTD; // a skippable frame, which zstd streams may start with
        }
        if (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            throw Errors.of(Kind.UNSUPPORTED, "bzip2-compressed layers are not supported");
        }
        if (n >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z' && magic[5] == 0) {
            throw Errors.of(Kind.UNSUPPORTED, "xz-compressed layers are not supported");
        }
        return Format.TAR;
    }

    private static InputStream zstd(InputStream in) throws IOException {
        if (zstdJniAvailable()) {
            return ZstdJniCodec.open(in);
        }
        if (AircompressorCodec.available()) {
            return AircompressorCodec.open(in);
        }
        throw Errors.of(Kind.UNSUPPORTED, MISSING_ZSTD);
    }

    /** Whether zstd-jni is on the class path; checked here, never inside {@link ZstdJniCodec}. */
    static boolean zstdJniAvailable() {
        try {
            Class.forName("com.github.luben.zstd.ZstdInputStreamNoFinalizer", false,
                    Decompression.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Opens zstd with a named codec; for tests of each codec. */
    static InputStream zstd(InputStream in, String codec) throws IOException {
        return codec.equals("zstd-jni") ? ZstdJniCodec.open(in) : AircompressorCodec.open(in);
    }

    private static String name(Format format) {
        return switch (format) {
            case TAR -> "an uncompressed tar";
            case GZIP -> "gzip";
            case ZSTD -> "zstd";
        };
    }
}
