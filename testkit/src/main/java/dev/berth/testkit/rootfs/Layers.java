package dev.berth.testkit.rootfs;

import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** What the simple fakes share: decompression by media type, name cleaning, and the limits. */
final class Layers {
    private Layers() {
    }

    /**
     * The uncompressed stream of a plain or gzip layer; the media type decides, and
     * {@code application/octet-stream} is sniffed. The caller's stream is never closed.
     */
    static InputStream uncompressed(InputStream layer, String mediaType) throws IOException {
        InputStream shielded = new FilterInputStream(layer) {
            @Override
            public void close() {
                // the caller closes the layer
            }
        };
        boolean gzip;
        switch (mediaType) {
            case MediaTypes.OCI_LAYER_TAR, MediaTypes.DOCKER_LAYER_TAR -> gzip = false;
            case MediaTypes.OCI_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_LAYER_FOREIGN_GZIP ->
                    gzip = true;
            case MediaTypes.OCTET_STREAM -> {
                PushbackInputStream sniffing = new PushbackInputStream(shielded, 2);
                byte[] magic = sniffing.readNBytes(2);
                sniffing.unread(magic);
                shielded = sniffing;
                gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            }
            default -> throw new ArchiveException(Kind.UNSUPPORTED, "unsupported layer media type " + mediaType);
        }
        if (!gzip) {
            return shielded;
        }
        try {
            return new GZIPInputStream(shielded, 65536);
        } catch (ZipException | java.io.EOFException e) {
            throw Tar.malformed("the layer is not valid gzip: " + e.getMessage());
        }
    }

    /** Counts what was read and refuses more than {@code max} bytes. */
    static final class Capped extends FilterInputStream {
        private final long max;
        private long count;

        Capped(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (ZipException e) {
                throw Tar.malformed("the layer is not valid gzip: " + e.getMessage());
            } catch (java.io.EOFException e) {
                throw Tar.malformed("the layer is truncated: " + e.getMessage());
            }
            if (n > 0) {
                count += n;
                if (count > max) {
                    throw new ArchiveException(Kind.LIMIT, "the uncompressed layer is longer than " + max + " bytes");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // through read, so that skipped bytes are counted and digested too
            byte[] buffer = new byte[8192];
            long left = n;
            while (left > 0) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * An entry name as components: leading {@code /} stripped, {@code .} and empty components dropped,
     * {@code ..} folded; a name still climbing out is a breakout, and the path limits apply.
     */
    static List<String> clean(String name, RootfsLimits limits) {
        if (name.indexOf('\0') >= 0) {
            throw Tar.malformed("tar entry \"" + name + "\" has a NUL in its name");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new ArchiveException(Kind.BREAKOUT, "tar entry \"" + name + "\" climbs out of the root");
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > limits.maxNameLength()) {
                throw new ArchiveException(Kind.LIMIT, "tar entry \"" + name + "\" has a component longer than "
                        + limits.maxNameLength() + " bytes");
            }
            parts.add(part);
        }
        if (parts.size() > limits.maxPathDepth()) {
            throw new ArchiveException(Kind.LIMIT, "tar entry \"" + name + "\" is deeper than "
                    + limits.maxPathDepth());
        }
        if (String.join("/", parts).getBytes(StandardCharsets.UTF_8).length > limits.maxPathLength()) {
            throw new ArchiveException(Kind.LIMIT, "tar entry \"" + name + "\" is longer than "
                    + limits.maxPathLength() + " bytes");
        }
        return parts;
    }

    static void checkLink(Tar.Entry entry, RootfsLimits limits) {
        if (entry.link().isEmpty()) {
            throw Tar.malformed("tar entry \"" + entry.name() + "\" has an empty link target");
        }
        if (entry.link().getBytes(StandardCharsets.UTF_8).length > limits.maxLinkTargetLength()) {
            throw new ArchiveException(Kind.LIMIT, "tar entry \"" + entry.name() + "\" has a link target longer than "
                    + limits.maxLinkTargetLength() + " bytes");
        }
    }
}
