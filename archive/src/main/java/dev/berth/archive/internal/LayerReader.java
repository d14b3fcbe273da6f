package dev.berth.archive.internal;

import dev.berth.exception.SystemException;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * One pass over a (possibly compressed) tar stream: decompression, the uncompressed-size cap and diff
 * ID, the extended-header cap, the entry cap, and the checks every consumer needs before it looks at
 * an entry (known type, no sparse files, a decodable name).
 *
 * <p>Not thread-safe; one reader per stream.
 */
public final class LayerReader {
    /** Entry types Berth understands; anything else is refused as containerd refuses it. */
    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

    private final MeteredInputStream metered;
    private final GuardedTarInputStream tar;
    private final RootfsLimits limits;
    private long entries;

    /**
     * @param source    the caller's stream, not closed
     * @param mediaType the declared media type; generic types are sniffed
     * @param limits    the caps
     */
    public LayerReader(InputStream source, String mediaType, RootfsLimits limits) {
        this.limits = limits;
        try {
            BufferedInputStream buffered = new BufferedInputStream(new SourceInputStream(source), 65536);
            this.metered = new MeteredInputStream(Decompression.open(buffered, mediaType),
                    limits.maxUncompressedBytes());
        } catch (IOException e) {
            throw failure("cannot open the layer stream", e);
        }
        this.tar = new GuardedTarInputStream(metered, limits.maxHeaderSize());
    }

    /** The next entry, checked, or null at the end of the archive. */
    public TarArchiveEntry next() {
        TarArchiveEntry entry;
        try {
            entry = tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw failure("invalid tar stream", e);
        }
        if (entry == null) {
            return null;
        }
        if (++entries > limits.maxEntries()) {
            throw Errors.limit("the archive has more than " + limits.maxEntries() + " entries");
        }
        Names.checkChars(entry.getName(), entry.getName());
        if (entry.isSparse()) {
            throw Errors.malformed(entry.getName(), "is a sparse file; sparse entries are not supported");
        }
        type(entry);
        return entry;
    }

    /** The type of a checked entry. */
    public Type type(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return switch (flag) {
            // '7' (contiguous) is a regular file everywhere that matters, as in Go's archive/tar.
            case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG -> Type.FILE;
            case TarConstants.LF_DIR -> Type.DIRECTORY;
            case TarConstants.LF_SYMLINK -> Type.SYMLINK;
            case TarConstants.LF_LINK -> Type.HARDLINK;
            case TarConstants.LF_CHR -> Type.CHAR_DEVICE;
            case TarConstants.LF_BLK -> Type.BLOCK_DEVICE;
            case TarConstants.LF_FIFO -> Type.FIFO;
            default -> throw Errors.malformed(entry.getName(),
                    "has the unhandled tar header type '" + printable(flag) + "'");
        };
    }

    /** The stream of the current entry's data. */
    public InputStream data() {
        return tar;
    }

    /** Raw major device number of the current entry. */
    public long devMajor() {
        return tar.devMajor();
    }

    /** Raw minor device number of the current entry. */
    public long devMinor() {
        return tar.devMinor();
    }

    /** Entries read so far. */
    public long entries() {
        return entries;
    }

    /** Reads what follows the end of the archive so the diff ID covers the whole stream. */
    public void drain() {
        try {
            metered.drain();
        } catch (IOException e) {
            throw failure("cannot read the end of the layer stream", e);
        }
    }

    /** The running digest of the uncompressed stream. */
    public MeteredInputStream metered() {
        return metered;
    }

    /** Maps an I/O failure while reading: the caller's stream failing is a system error, the rest is the archive. */
    public static RuntimeException failure(String what, Exception e) {
        if (e instanceof ArchiveException ae) {
            return ae;
        }
        if (SourceReadException.isSource(e)) {
            return new SystemException(what + ": " + e.getMessage(), e);
        }
        return Errors.of(Kind.MALFORMED, what + ": " + e.getMessage(), e);
    }

    private static String printable(byte flag) {
        return flag >= 0x20 && flag < 0x7f ? String.valueOf((char) flag) : String.format("\\x%02x", flag & 0xff);
    }
}
