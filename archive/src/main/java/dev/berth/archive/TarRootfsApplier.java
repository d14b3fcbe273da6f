package dev.berth.archive;

import dev.berth.archive.internal.LayerReader;
import dev.berth.archive.internal.NodeMaker;
import dev.berth.archive.internal.Unpacker;
import dev.berth.exception.SystemException;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Applies tar layers (uncompressed, gzip, or zstd when zstd-jni or aircompressor is on the class path)
 * onto a directory, confined to it, in one streaming pass that also yields the diff ID.
 *
 * <p>What it does with each entry, in the attack catalog's terms:
 * <ul>
 *   <li>names: leading {@code /} stripped, cleaned; a name still climbing out with {@code ..} is a
 *       {@link dev.berth.rootfs.ArchiveException.Kind#BREAKOUT}; the root entry {@code .} is skipped
 *       (the root keeps its owner and mode) and must be a directory;</li>
 *   <li>parents: resolved chroot-style, so an existing symlink, absolute or relative, never leads out;
 *       missing parents are created;</li>
 *   <li>the final component, if it exists, is removed (a directory onto a directory is kept) and the
 *       entry created exclusively without following links;</li>
 *   <li>symlinks are stored verbatim; hard links must name an existing non-directory inside the root,
 *       and link a symlink itself, never its target;</li>
 *   <li>{@code .wh.<name>} removes a lower-layer path; {@code .wh..wh..opq} empties a directory of lower
 *       content; other {@code .wh..wh.} (AUFS metadata) entries are skipped; a whiteout never removes
 *       what the same layer created;</li>
 *   <li>FIFOs and devices follow {@link RootfsPolicy.SpecialFiles}; device numbers out of Linux's range
 *       are refused first;</li>
 *   <li>metadata: {@code lchown} (numeric ids only, when permitted), then times, then mode with
 *       setuid/setgid/sticky; never through a symlink; directories last; hard links get none (the inode
 *       is another entry's);</li>
 *   <li>unknown entry types and sparse files are refused.</li>
 * </ul>
 * The root must not be writable by other users (group or other write bits): paths are resolved
 * before they are used, which is sound only while nobody else can swap a directory for a symlink.
 * On a file system other than the default one (Jimfs in tests) ownership and special files are
 * skipped and modes are limited to the nine permission bits.
 *
 * <p>Immutable and thread-safe.
 */
public final class TarRootfsApplier implements RootfsApplier {
    private final RootfsPolicy policy;
    private final NodeMaker nodes = new NodeMaker();

    private TarRootfsApplier(RootfsPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** An applier with {@link RootfsPolicy#defaults()}. */
    public static TarRootfsApplier create() {
        return new TarRootfsApplier(RootfsPolicy.defaults());
    }

    /** An applier with the given policy. */
    public static TarRootfsApplier create(RootfsPolicy policy) {
        return new TarRootfsApplier(policy);
    }

    /** The policy this applier follows. */
    public RootfsPolicy policy() {
        return policy;
    }

    /** Which zstd decoder is on the class path: {@code "zstd-jni"}, {@code "aircompressor"} or {@code "none"}. */
    public static String zstdCodec() {
        return dev.berth.archive.internal.Decompression.zstdCodec();
    }

    @Override
    public AppliedLayer apply(InputStream layer, String mediaType, Path root) {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(root, "root");
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw new SystemException("cannot apply a layer onto " + root + ": " + e.getMessage(), e);
        }
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new SystemException("cannot apply a layer onto " + root + ": not a directory");
        }
        refuseShared(root, real);
        LayerReader reader = new LayerReader(layer, mediaType, policy.limits());
        return new Unpacker(real, policy, nodes).apply(reader);
    }

    /**
     * Confinement resolves paths before using them, which is only sound while no one else can change
     * the root (symlink-exchange races, CVE-2018-15664; Java has no openat2). A root that other users
     * may write to is refused.
     */
    private static void refuseShared(Path root, Path real) {
        if (real.getFileSystem() != FileSystems.getDefault()
                || !real.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return;
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(real, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new SystemException("cannot apply a layer onto " + root + ": " + e.getMessage(), e);
        }
        if ((mode & 022) != 0) {
            throw new SystemException("cannot apply a layer onto " + root + ": it is writable by other users (mode "
                    + Integer.toOctalString(mode & 07777) + "); layers are applied in a private directory");
        }
    }
}
