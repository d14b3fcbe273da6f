package dev.berth.archive;

import dev.berth.archive.internal.LayerOutput;
import dev.berth.exception.SystemException;
import dev.berth.rootfs.LayerWriter;
import dev.berth.rootfs.WrittenLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a directory tree as a deterministic gzip tar layer, Docker-like: entries in sorted
 * depth-first order, names relative with a trailing {@code /} on directories, permission bits with
 * setuid/setgid/sticky, numeric owners kept or zeroed, no user or group names, modification times in
 * whole seconds or one fixed time, hard links (same inode) written as links to the first name,
 * symlink targets verbatim. Sockets are skipped, as Docker skips them; extended attributes are not
 * written.
 *
 * <p>The same tree (and options) gives the same bytes, hence the same digest. Immutable and
 * thread-safe; the tree must not change while it is written.
 */
public final class TarLayerWriter implements LayerWriter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.berth.archive");
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    /** Whether the files' owners are recorded. */
    public enum Owners {
        /** Record each file's numeric uid and gid (0 where the file system has none). */
        KEEP,
        /** Record 0:0 for every entry, as for a rootfs built by an unprivileged user. */
        ZERO
    }

    private final Owners owners;
    private final Optional<Instant> mtime;

    private TarLayerWriter(Builder builder) {
        this.owners = builder.owners;
        this.mtime = builder.mtime;
    }

    /** A writer that keeps owners and real modification times. */
    public static TarLayerWriter create() {
        return builder().build();
    }

    /** A builder, with owners kept and real modification times. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TarLayerWriter}s. Not thread-safe. */
    public static final class Builder {
        private Owners owners = Owners.KEEP;
        private Optional<Instant> mtime = Optional.empty();

        private Builder() {
        }

        /** Whether owners are kept or zeroed. */
        public Builder owners(Owners value) {
            this.owners = Objects.requireNonNull(value, "owners");
            return this;
        }

        /** One modification time for every entry, for layers that must not depend on when files were made. */
        public Builder mtime(Instant value) {
            this.mtime = Optional.of(Objects.requireNonNull(value, "mtime"));
            return this;
        }

        /** The writer. */
        public TarLayerWriter build() {
            return new TarLayerWriter(this);
        }
    }

    @Override
    public WrittenLayer write(Path root, OutputStream sink) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(sink, "sink");
        try {
            if (!Files.isDirectory(root, NOFOLLOW)) {
                throw new SystemException("cannot write a layer of " + root + ": not a directory");
            }
            LayerOutput out = new LayerOutput(sink);
            boolean unix = root.getFileSystem() == FileSystems.getDefault()
                    && root.getFileSystem().supportedFileAttributeViews().contains("unix");
            Map<Object, String> inodes = new HashMap<>();
            byte[] buffer = new byte[65536];
            writeTree(root, out, unix, inodes, buffer);
            return out.finish();
        } catch (IOException e) {
            throw new SystemException("cannot write a layer of " + root + ": " + e.getMessage(), e);
        }
    }

    private void writeTree(Path root, LayerOutput out, boolean unix, Map<Object, String> inodes, byte[] buffer)
            throws IOException {
        Deque<Path> todo = new ArrayDeque<>();
        pushChildren(root, todo);
        while (!todo.isEmpty()) {
            Path path = todo.pop();
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
            String name = name(root, path);
            TarArchiveEntry entry;
            if (attributes.isDirectory()) {
                entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR, true);
            } else if (attributes.isSymbolicLink()) {
                entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
                entry.setLinkName(Files.readSymbolicLink(path).toString());
            } else if (attributes.isRegularFile()) {
                Object key = attributes.fileKey();
                String first = key != null && nlink(path, unix) > 1 ? inodes.putIfAbsent(key, name) : null;
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
                    entry.setSize(attributes.size());
                }
            } else {
                int type = unix ? (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW) & S_IFMT : 0;
                if (type == S_IFIFO) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
                } else if (type == S_IFCHR || type == S_IFBLK) {
                    entry = new TarArchiveEntry(name, type == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK, true);
                    long rdev = (Long) Files.getAttribute(path, "unix:rdev", NOFOLLOW);
                    entry.setDevMajor((int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL)));
                    entry.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & ~0xffL)));
                } else {
                    LOG.debug("skipping {}: sockets and unknown file types are not written", path);
                    continue;
                }
            }
            metadata(entry, path, attributes, unix);
            out.put(entry);
            if (entry.getLinkFlag() == TarConstants.LF_NORMAL) {
                copy(path, entry.getSize(), out, buffer);
            }
            out.closeEntry();
            if (attributes.isDirectory()) {
                pushChildren(path, todo);
            }
        }
    }

    private static void pushChildren(Path dir, Deque<Path> todo) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = new ArrayList<>(list.toList());
        }
        // Sorted by name, so the order does not depend on the directory's internal order.
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (int i = children.size() - 1; i >= 0; i--) {
            todo.push(children.get(i));
        }
    }

    private void metadata(TarArchiveEntry entry, Path path, BasicFileAttributes attributes, boolean unix)
            throws IOException {
        int mode;
        long uid = 0;
        long gid = 0;
        if (unix) {
            mode = (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW) & 07777;
            if (owners == Owners.KEEP) {
                uid = (Integer) Files.getAttribute(path, "unix:uid", NOFOLLOW) & 0xffffffffL;
                gid = (Integer) Files.getAttribute(path, "unix:gid", NOFOLLOW) & 0xffffffffL;
            }
        } else if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            mode = bits(Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW).permissions());
        } else {
            mode = attributes.isDirectory() ? 0755 : 0644;
        }
        if (attributes.isSymbolicLink()) {
            mode = 0777;
        }
        entry.setMode(mode);
        entry.setUserId(uid);
        entry.setGroupId(gid);
        entry.setUserName("");
        entry.setGroupName("");
        FileTime time = mtime.map(FileTime::from)
                .orElseGet(() -> FileTime.from(attributes.lastModifiedTime().to(TimeUnit.SECONDS), TimeUnit.SECONDS));
        entry.setLastModifiedTime(time);
    }

    private static long nlink(Path path, boolean unix) throws IOException {
        return unix ? (Integer) Files.getAttribute(path, "unix:nlink", NOFOLLOW) : 1;
    }

    private static void copy(Path path, long size, LayerOutput out, byte[] buffer) throws IOException {
        long left = size;
        try (InputStream in = Files.newInputStream(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(path + " shrank while it was written");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static String name(Path root, Path path) {
        List<String> parts = new ArrayList<>();
        for (Path p : root.relativize(path)) {
            parts.add(p.toString());
        }
        return String.join("/", parts);
    }

    private static int bits(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) {
            bits |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return bits;
    }
}
