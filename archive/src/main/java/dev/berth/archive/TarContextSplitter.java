package dev.berth.archive;

import dev.berth.archive.internal.Compressors;
import dev.berth.archive.internal.LayerOutput;
import dev.berth.archive.internal.LayerReader.Type;
import dev.berth.archive.internal.LayerReader;
import dev.berth.archive.internal.Names;
import dev.berth.exception.PluginException.Category;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnavailableException;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.MediaTypes.Compression;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.SplitContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Splits a {@code docker plugin create} context, as moby's {@code splitConfigRootFSFromTar} does, but
 * stricter: one streaming pass; the context may be plain, gzip or zstd (sniffed); the config is kept
 * (at most {@link RootfsLimits#maxConfigSize()} bytes) and every {@code rootfs/} entry is re-rooted into
 * a layer written to the sink while both of its digests are computed.
 *
 * <p>The layer is gzip by default, as Docker writes it (one member at Docker's level 6, deflated on
 * all cores; the bytes do not depend on the core count); {@link #withCompression} picks zstd
 * ({@code application/vnd.oci.image.layer.v1.tar+zstd}, which needs zstd-jni or aircompressor on the
 * class path; its bytes depend on which of the two writes them) or none
 * ({@code application/vnd.docker.image.rootfs.diff.tar}). The entries' names, modes, owners and
 * modification times are the context's, so the same context gives the same layer digest.
 *
 * <p>Rules, with the attack catalog's CTX cases:
 * <ul>
 *   <li>names are cleaned with leading {@code /} stripped; {@code config.json}, {@code ./config.json},
 *       {@code /config.json} and {@code rootfs/../config.json} are the same entry, and a second one is an
 *       error (Docker keeps the last); it must be a regular file;</li>
 *   <li>{@code rootfs/} (exact case) entries are re-rooted; the {@code rootfs} directory itself is not
 *       written (the layer's root keeps the applier's mode) and must be a directory;</li>
 *   <li>hard-link targets lose a {@code rootfs/} prefix and must name an earlier non-directory entry;
 *       symlink targets are kept verbatim;</li>
 *   <li>a name that still climbs out with {@code ..} after cleaning is refused; other entries outside
 *       {@code rootfs/} are read and discarded;</li>
 *   <li>the limits, entry types and header checks of {@link TarRootfsApplier} apply.</li>
 * </ul>
 * Every refusal is an {@link ArchiveException} of the invalid-parameter class: the context is the
 * caller's input. Immutable and thread-safe.
 */
public final class TarContextSplitter implements ContextSplitter {
    private static final String CONFIG = "config.json";
    private static final String ROOTFS = "rootfs";

    private final RootfsLimits limits;
    private final Compression compression;

    private TarContextSplitter(RootfsLimits limits, Compression compression) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.compression = Objects.requireNonNull(compression, "compression");
    }

    /** A splitter with {@link RootfsLimits#defaults()}. */
    public static TarContextSplitter create() {
        return new TarContextSplitter(RootfsLimits.defaults(), Compression.GZIP);
    }

    /** A splitter with the given limits. */
    public static TarContextSplitter create(RootfsLimits limits) {
        return new TarContextSplitter(limits, Compression.GZIP);
    }

    /**
     * This splitter writing its layers with another compression.
     *
     * @param value {@link Compression#GZIP} (the default), {@link Compression#ZSTD} or {@link Compression#NONE}
     * @return a splitter with the same limits
     * @throws IllegalArgumentException for {@link Compression#UNKNOWN}
     * @throws dev.berth.exception.UnavailableException for zstd when neither zstd-jni nor aircompressor is
     *                                                  on the class path
     */
    public TarContextSplitter withCompression(Compression value) {
        Objects.requireNonNull(value, "compression");
        if (value == Compression.UNKNOWN) {
            throw new IllegalArgumentException("a layer compression must be gzip, zstd or none");
        }
        if (value == Compression.ZSTD && !Compressors.zstdAvailable()) {
            throw new UnavailableException("writing zstd layers needs a zstd codec on the class path: add"
                    + " com.github.luben:zstd-jni or io.airlift:aircompressor to your build");
        }
        return new TarContextSplitter(limits, value);
    }

    /** The compression of the layers this splitter writes. */
    public Compression compression() {
        return compression;
    }

    @Override
    public SplitContext split(InputStream context, OutputStream layer) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(layer, "layer");
        try {
            return run(context, layer);
        } catch (ArchiveException e) {
            if (e.category() == Category.INVALID_PARAMETER) {
                throw e;
            }
            throw new ArchiveException(Category.INVALID_PARAMETER, e.kind(), e.getMessage(), e);
        }
    }

    private SplitContext run(InputStream context, OutputStream sink) {
        LayerReader reader = new LayerReader(context, MediaTypes.OCTET_STREAM, limits);
        byte[] config = null;
        boolean rootfs = false;
        Set<String> linkable = new HashSet<>();
        byte[] buffer = new byte[65536];
        try {
            LayerOutput out = new LayerOutput(sink, compression);
            TarArchiveEntry entry;
            while ((entry = reader.next()) != null) {
                String name = entry.getName();
                Type type = reader.type(entry);
                List<String> parts = Names.confined(name, name, limits);
                if (parts.size() == 1 && parts.get(0).equals(CONFIG)) {
                    if (type != Type.FILE) {
                        throw config("config.json in the context is a " + type.name().toLowerCase()
                                + ", not a regular file");
                    }
                    if (config != null) {
                        throw config("the context holds more than one config.json (\"" + name + "\")");
                    }
                    config = readConfig(reader, entry);
                    continue;
                }
                if (parts.isEmpty() || !parts.get(0).equals(ROOTFS)) {
                    continue; // moby discards entries outside rootfs/, and so do we
                }
                rootfs = true;
                List<String> sub = parts.subList(1, parts.size());
                if (sub.isEmpty()) {
                    if (type != Type.DIRECTORY) {
                        throw Errors.malformed(name, "would make the rootfs a " + type.name().toLowerCase());
                    }
                    continue;
                }
                if (type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE) {
                    checkDevice(reader, entry);
                }
                TarArchiveEntry copy = reroot(entry, type, Names.join(sub), linkable);
                out.put(copy);
                if (type == Type.FILE) {
                    copyData(reader, entry, out, buffer);
                }
                out.closeEntry();
                if (type != Type.DIRECTORY) {
                    linkable.add(Names.join(sub));
                }
            }
            reader.drain();
            if (!rootfs) {
                throw config("no rootfs found");
            }
            if (config == null) {
                throw config("config not found");
            }
            return new SplitContext(config, out.finish());
        } catch (IOException e) {
            throw new SystemException("cannot write the rootfs layer: " + e.getMessage(), e);
        }
    }

    private TarArchiveEntry reroot(TarArchiveEntry entry, Type type, String name, Set<String> linkable) {
        byte flag = switch (type) {
            case FILE -> TarConstants.LF_NORMAL;
            case DIRECTORY -> TarConstants.LF_DIR;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            case HARDLINK -> TarConstants.LF_LINK;
            case CHAR_DEVICE -> TarConstants.LF_CHR;
            case BLOCK_DEVICE -> TarConstants.LF_BLK;
            case FIFO -> TarConstants.LF_FIFO;
        };
        TarArchiveEntry copy = new TarArchiveEntry(type == Type.DIRECTORY ? name + "/" : name, flag, true);
        copy.setMode(entry.getMode() & 07777);
        copy.setUserId(entry.getLongUserId());
        copy.setGroupId(entry.getLongGroupId());
        copy.setUserName(entry.getUserName());
        copy.setGroupName(entry.getGroupName());
        copy.setLastModifiedTime(entry.getLastModifiedTime());
        if (type == Type.FILE) {
            copy.setSize(entry.getSize());
        }
        if (type == Type.SYMLINK || type == Type.HARDLINK) {
            String link = entry.getLinkName();
            if (link.getBytes(StandardCharsets.UTF_8).length > limits.maxLinkTargetLength()) {
                throw Errors.limit("tar entry \"" + Names.abbreviate(entry.getName()) + "\" has a link target longer than "
                        + limits.maxLinkTargetLength() + " bytes");
            }
            Names.checkChars(link, entry.getName() + " -> " + link);
            if (link.isEmpty()) {
                throw Errors.malformed(entry.getName(), "has an empty link target");
            }
            if (type == Type.HARDLINK) {
                link = hardlinkTarget(entry, link, linkable);
            }
            copy.setLinkName(link);
        }
        if (type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE) {
            copy.setDevMajor(entry.getDevMajor());
            copy.setDevMinor(entry.getDevMinor());
        }
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            if (header.getKey().startsWith("SCHILY.xattr.")) {
                copy.addPaxHeader(header.getKey(), header.getValue());
            }
        }
        return copy;
    }

    /** Moby strips {@code rootfs/} case-insensitively; Berth requires the exact case names are matched with. */
    private String hardlinkTarget(TarArchiveEntry entry, String link, Set<String> linkable) {
        List<String> parts = Names.confined(link, entry.getName() + " -> " + link, limits);
        if (!parts.isEmpty() && parts.get(0).equals(ROOTFS)) {
            parts = parts.subList(1, parts.size());
        }
        String target = Names.join(parts);
        if (!linkable.contains(target)) {
            throw Errors.malformed(entry.getName(), "is a hard link to \"" + link
                    + "\", which is not an earlier file of the rootfs");
        }
        return target;
    }

    /** Commons Compress narrows device numbers to int; refuse what does not fit Linux rather than re-emit it changed. */
    private static void checkDevice(LayerReader reader, TarArchiveEntry entry) {
        long major = reader.devMajor();
        long minor = reader.devMinor();
        if (major < 0 || major > 4095 || minor < 0 || minor > (1 << 20) - 1 || major != entry.getDevMajor()
                || minor != entry.getDevMinor()) {
            throw Errors.malformed(entry.getName(), "has device numbers out of range (" + major + ":" + minor + ")");
        }
    }

    private byte[] readConfig(LayerReader reader, TarArchiveEntry entry) {
        if (entry.getSize() > limits.maxConfigSize()) {
            throw new ArchiveException(Category.INVALID_PARAMETER, Kind.LIMIT, "config.json has " + entry.getSize()
                    + " bytes; the limit is " + limits.maxConfigSize(), null);
        }
        try {
            return reader.data().readNBytes((int) entry.getSize());
        } catch (IOException e) {
            throw LayerReader.failure("failed to read config.json", e);
        }
    }

    private static void copyData(LayerReader reader, TarArchiveEntry entry, LayerOutput out, byte[] buffer)
            throws IOException {
        InputStream data = reader.data();
        while (true) {
            int n;
            try {
                n = data.read(buffer);
            } catch (IOException e) {
                throw LayerReader.failure("cannot read tar entry \"" + Names.abbreviate(entry.getName()) + "\"", e);
            }
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
        }
    }

    private static ArchiveException config(String message) {
        return new ArchiveException(Category.INVALID_PARAMETER, Kind.CONFIG, message, null);
    }

    /** Shorthands for the shared error wording. */
    private static final class Errors {
        private Errors() {
        }

        static ArchiveException malformed(String entry, String why) {
            return dev.berth.archive.internal.Errors.malformed(entry, why);
        }

        static ArchiveException limit(String what) {
            return dev.berth.archive.internal.Errors.limit(what);
        }
    }
}
