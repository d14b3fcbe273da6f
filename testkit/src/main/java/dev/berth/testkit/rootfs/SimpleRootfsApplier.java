package dev.berth.testkit.rootfs;

import dev.berth.exception.SystemException;
import dev.berth.oci.Digester;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A deliberately simple {@link RootfsApplier}, a test fake and a second implementation for
 * {@link RootfsApplierContract} to run on, so that the suite tests the contract rather than one class.
 *
 * <p>Plain and gzip ustar layers (PAX path records read, other extensions ignored) on any file system.
 * Simpler than a production applier on purpose, and where it is simpler it refuses rather than guesses:
 * a symlink met as a parent directory is refused as a breakout instead of being resolved inside the root;
 * hard links must name an earlier regular file; FIFOs and devices are skipped; modes, owners, times and
 * xattrs are not applied. Whiteouts ({@code .wh.name}, {@code .wh..wh..opq}) remove lower content.
 * Confinement and limits are honoured in full. Immutable and thread-safe.
 */
public final class SimpleRootfsApplier implements RootfsApplier {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final RootfsLimits limits;

    /** An applier with {@link RootfsLimits#defaults()}. */
    public SimpleRootfsApplier() {
        this(RootfsLimits.defaults());
    }

    /** An applier with the given limits. */
    public SimpleRootfsApplier(RootfsLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public AppliedLayer apply(InputStream layer, String mediaType, Path root) {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root, NOFOLLOW)) {
            throw new SystemException("cannot apply a layer onto " + root + ": not a directory");
        }
        try {
            Digester digester = Digester.sha256();
            Layers.Capped tar = new Layers.Capped(digester.wrap(Layers.uncompressed(layer, mediaType)),
                    limits.maxUncompressedBytes());
            Tar.Reader reader = new Tar.Reader(tar, limits.maxHeaderSize());
            long entries = 0;
            Tar.Entry entry;
            while ((entry = reader.next()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new ArchiveException(Kind.LIMIT, "the layer has more than " + limits.maxEntries()
                            + " entries");
                }
                put(root, entry, reader);
            }
            // the diff ID covers the whole stream, padding and trailing bytes included
            tar.skip(Long.MAX_VALUE);
            return new AppliedLayer(digester.digest(), tar.count(), entries);
        } catch (IOException e) {
            throw new SystemException("cannot apply a layer onto " + root + ": " + e.getMessage(), e);
        }
    }

    private void put(Path root, Tar.Entry entry, Tar.Reader reader) throws IOException {
        List<String> parts = Layers.clean(entry.name(), limits);
        if (parts.isEmpty()) {
            return; // the root entry: the root keeps what it has
        }
        String last = parts.get(parts.size() - 1);
        Path parent = parents(root, parts.subList(0, parts.size() - 1), entry.name());
        if (last.equals(OPAQUE)) {
            emptyDirectory(parent);
            return;
        }
        if (last.startsWith(WHITEOUT + WHITEOUT)) {
            return; // AUFS metadata
        }
        if (last.startsWith(WHITEOUT)) {
            String hidden = last.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                // ".wh.." would remove the parent itself, ".wh..." the directory above it
                throw new ArchiveException(Kind.BREAKOUT, "tar entry \"" + entry.name() + "\" whites out \""
                        + hidden + "\"");
            }
            remove(parent.resolve(hidden));
            return;
        }
        Path target = parent.resolve(last);
        if (entry.type() == Tar.DIRECTORY) {
            if (!Files.isDirectory(target, NOFOLLOW)) {
                remove(target);
                Files.createDirectory(target);
            }
            return;
        }
        remove(target);
        if (entry.isFile()) {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                reader.data().transferTo(out);
            }
        } else if (entry.type() == Tar.SYMLINK) {
            Layers.checkLink(entry, limits);
            Files.createSymbolicLink(target, root.getFileSystem().getPath(entry.link()));
        } else if (entry.type() == Tar.HARDLINK) {
            Layers.checkLink(entry, limits);
            List<String> linked = Layers.clean(entry.link(), limits);
            if (linked.isEmpty()) {
                throw Tar.malformed("tar entry \"" + entry.name() + "\" is a hard link to the root");
            }
            Path existing = parents(root, linked.subList(0, linked.size() - 1), entry.link())
                    .resolve(linked.get(linked.size() - 1));
            if (!Files.isRegularFile(existing, NOFOLLOW)) {
                throw Tar.malformed("tar entry \"" + entry.name() + "\" is a hard link to \"" + entry.link()
                        + "\", which is not a regular file of the root");
            }
            Files.createLink(target, existing);
        } else if (entry.type() == Tar.FIFO || entry.type() == '3' || entry.type() == '4') {
            return; // special files need privileges the fake does not assume
        } else {
            throw Tar.malformed("tar entry \"" + entry.name() + "\" has the unknown type '" + (char) entry.type() + "'");
        }
    }

    /** The parent directory, made where missing; never through a symlink, so never out of the root. */
    private static Path parents(Path root, List<String> parts, String name) throws IOException {
        Path dir = root;
        for (String part : parts) {
            dir = dir.resolve(part);
            if (Files.isSymbolicLink(dir)) {
                throw new ArchiveException(Kind.BREAKOUT, "tar entry \"" + name + "\" has a symlink as a parent ("
                        + root.relativize(dir) + "); the simple applier does not follow it");
            }
            if (!Files.exists(dir, NOFOLLOW)) {
                Files.createDirectory(dir);
            } else if (!Files.isDirectory(dir, NOFOLLOW)) {
                throw Tar.malformed("tar entry \"" + name + "\" has a non-directory as a parent ("
                        + root.relativize(dir) + ")");
            }
        }
        return dir;
    }

    private static void emptyDirectory(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                remove(child);
            }
        }
    }

    /** Removes a path, a directory with its contents, never following a symlink. */
    private static void remove(Path path) throws IOException {
        if (!Files.exists(path, NOFOLLOW)) {
            return;
        }
        if (!Files.isDirectory(path, NOFOLLOW)) {
            Files.delete(path);
            return;
        }
        // walkFileTree does not follow links by default: a symlink inside is deleted, not its target
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                try {
                    Files.delete(d);
                } catch (DirectoryNotEmptyException race) {
                    throw new SystemException("cannot remove " + d + ": it changed while being removed", race);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
