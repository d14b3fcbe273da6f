package dev.berth.testkit.rootfs;

import dev.berth.exception.PluginException.Category;
import dev.berth.exception.SystemException;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.SplitContext;
import dev.berth.rootfs.WrittenLayer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A deliberately simple {@link ContextSplitter}, a test fake and a second implementation for
 * {@link ContextSplitterContract} to run on.
 *
 * <p>Reads a plain or gzip ustar context and writes the {@code rootfs/} entries, re-rooted, as an
 * uncompressed layer ({@link MediaTypes#OCI_LAYER_TAR}, so its digest is its diff ID). Files,
 * directories, symlinks (targets verbatim) and hard links (targets re-rooted, to an earlier
 * non-directory) are kept; other entry types are dropped, as are modes, owners and times. Entries
 * outside {@code rootfs/} other than {@code config.json} are discarded. Immutable and thread-safe.
 */
public final class SimpleContextSplitter implements ContextSplitter {
    private static final String CONFIG = "config.json";
    private static final String ROOTFS = "rootfs";

    private final RootfsLimits limits;

    /** A splitter with {@link RootfsLimits#defaults()}. */
    public SimpleContextSplitter() {
        this(RootfsLimits.defaults());
    }

    /** A splitter with the given limits. */
    public SimpleContextSplitter(RootfsLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public SplitContext split(InputStream context, OutputStream layer) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(layer, "layer");
        try {
            return run(context, layer);
        } catch (IOException e) {
            throw new SystemException("cannot split the context: " + e.getMessage(), e);
        }
    }

    private SplitContext run(InputStream context, OutputStream sink) throws IOException {
        Layers.Capped in = new Layers.Capped(Layers.uncompressed(context, MediaTypes.OCTET_STREAM),
                limits.maxUncompressedBytes());
        Tar.Reader reader = new Tar.Reader(in, limits.maxHeaderSize());
        Digester digester = Digester.sha256();
        OutputStream shielded = new FilterOutputStream(sink) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() {
                // the caller commits or aborts the sink
            }
        };
        Tar.Writer out = new Tar.Writer(digester.wrap(shielded));
        byte[] config = null;
        boolean rootfs = false;
        Set<String> linkable = new HashSet<>();
        long entries = 0;
        Tar.Entry entry;
        while ((entry = reader.next()) != null) {
            if (++entries > limits.maxEntries()) {
                throw config(Kind.LIMIT, "the context has more than " + limits.maxEntries() + " entries");
            }
            List<String> parts = Layers.clean(entry.name(), limits);
            if (parts.equals(List.of(CONFIG))) {
                if (!entry.isFile()) {
                    throw config(Kind.CONFIG, "config.json in the context is not a regular file");
                }
                if (config != null) {
                    throw config(Kind.CONFIG, "the context holds more than one config.json");
                }
                if (entry.size() > limits.maxConfigSize()) {
                    throw config(Kind.LIMIT, "config.json has " + entry.size() + " bytes; the limit is "
                            + limits.maxConfigSize());
                }
                config = reader.data().readAllBytes();
                continue;
            }
            if (parts.isEmpty() || !parts.get(0).equals(ROOTFS)) {
                continue;
            }
            rootfs = true;
            List<String> sub = parts.subList(1, parts.size());
            if (sub.isEmpty()) {
                continue;
            }
            String name = String.join("/", sub);
            if (entry.isFile()) {
                out.put(name, Tar.FILE, "", entry.size());
                byte[] buffer = new byte[8192];
                InputStream data = reader.data();
                int n;
                while ((n = data.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
                linkable.add(name);
            } else if (entry.type() == Tar.DIRECTORY) {
                out.put(name + "/", Tar.DIRECTORY, "", 0);
            } else if (entry.type() == Tar.SYMLINK) {
                Layers.checkLink(entry, limits);
                out.put(name, Tar.SYMLINK, entry.link(), 0);
                linkable.add(name);
            } else if (entry.type() == Tar.HARDLINK) {
                Layers.checkLink(entry, limits);
                List<String> target = Layers.clean(entry.link(), limits);
                if (!target.isEmpty() && target.get(0).equals(ROOTFS)) {
                    target = target.subList(1, target.size());
                }
                String linked = String.join("/", target);
                if (!linkable.contains(linked)) {
                    throw config(Kind.MALFORMED, "tar entry \"" + entry.name() + "\" is a hard link to \""
                            + entry.link() + "\", which is not an earlier file of the rootfs");
                }
                out.put(name, Tar.HARDLINK, linked, 0);
                linkable.add(name);
            } else if (entry.type() != Tar.FIFO && entry.type() != '3' && entry.type() != '4') {
                throw config(Kind.MALFORMED, "tar entry \"" + entry.name() + "\" has the unknown type '"
                        + (char) entry.type() + "'");
            }
        }
        in.skip(Long.MAX_VALUE);
        if (!rootfs) {
            throw config(Kind.CONFIG, "no rootfs found");
        }
        if (config == null) {
            throw config(Kind.CONFIG, "config not found");
        }
        out.finish();
        Digest digest = digester.digest();
        long size = digester.count();
        return new SplitContext(config, new WrittenLayer(MediaTypes.OCI_LAYER_TAR, digest, size, digest, size));
    }

    /** The context is the caller's input: its refusals are of the invalid-parameter class. */
    private static ArchiveException config(Kind kind, String message) {
        return new ArchiveException(Category.INVALID_PARAMETER, kind, message, null);
    }
}
