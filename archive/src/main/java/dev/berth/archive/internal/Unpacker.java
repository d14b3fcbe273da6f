package dev.berth.archive.internal;

import dev.berth.archive.internal.LayerReader.Type;
import dev.berth.exception.SystemException;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.RootfsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one layer onto a root, entry by entry, under the attack catalog's unpack policy (P1-P8).
 * One instance per application; not thread-safe.
 */
public final class Unpacker {
    private static final Logger LOG = LoggerFactory.getLogger("dev.berth.archive");
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final String WHITEOUT = ".wh.";
    private static final String WHITEOUT_META = ".wh..wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final long MAX_MAJOR = (1L << 12) - 1;
    private static final long MAX_MINOR = (1L << 20) - 1;
    /** 9999-12-31T23:59:59Z: hostile far-future times are clamped, not stored. */
    private static final long MAX_EPOCH_SECOND = 253402300799L;
    private static final int MAX_XATTR_VALUE = 64 * 1024;

    private final RootfsPolicy policy;
    private final RootfsLimits limits;
    private final RootResolver resolver;
    private final FileSystemNames fileSystemNames;
    private final Path root;
    private final NodeMaker nodes;
    private final boolean defaultFileSystem;
    private final boolean posix;
    private final boolean unixAttributes;
    private boolean chown;
    /** Paths this layer created, and their ancestors: whiteouts must spare them (TAR-35, TAR-36). */
    private final Set<String> unpacked = new HashSet<>();
    /** Directory metadata, applied last so writing children does not disturb times or permissions. */
    private final List<DirectoryMetadata> directories = new ArrayList<>();
    private final byte[] buffer = new byte[65536];

    private record DirectoryMetadata(List<String> resolved, long uid, long gid, int mode, FileTime mtime) {
    }

    /**
     * @param root   the real path of an existing directory
     * @param policy the policy
     * @param nodes  the maker of FIFOs and devices
     */
    public Unpacker(Path root, RootfsPolicy policy, NodeMaker nodes) {
        this.root = root;
        this.policy = policy;
        this.limits = policy.limits();
        this.resolver = new RootResolver(root);
        this.fileSystemNames = FileSystemNames.of(root.getFileSystem());
        this.nodes = nodes;
        this.defaultFileSystem = root.getFileSystem() == FileSystems.getDefault();
        Set<String> views = root.getFileSystem().supportedFileAttributeViews();
        this.posix = views.contains("posix");
        this.unixAttributes = views.contains("unix");
        this.chown = policy.ownership() == RootfsPolicy.Ownership.PRESERVE && defaultFileSystem
                && unixAttributes;
    }

    /** Reads the whole layer and applies it. */
    public AppliedLayer apply(LayerReader reader) {
        TarArchiveEntry entry;
        while ((entry = reader.next()) != null) {
            String name = entry.getName();
            try {
                handle(reader, entry);
            } catch (ArchiveException | SystemException e) {
                throw e;
            } catch (InvalidPathException e) {
                throw Errors.malformed(Names.abbreviate(name), "is not a valid path: " + e.getReason());
            } catch (FileSystemLoopException e) {
                throw Errors.malformed(Names.abbreviate(name), "resolves through too many symbolic links");
            } catch (NotDirectoryException e) {
                throw Errors.malformed(Names.abbreviate(name), "has a parent that is not a directory");
            } catch (IOException e) {
                throw fileSystemFailure(name, e);
            }
        }
        reader.drain();
        if (reader.metered().count() == 0) {
            // Not even the end-of-archive blocks: a stream that decompressed to nothing is no layer.
            throw Errors.of(Kind.MALFORMED, "the layer is empty: not a tar archive");
        }
        try {
            applyDirectoryMetadata();
        } catch (IOException e) {
            throw fileSystemFailure("(directory metadata)", e);
        }
        MeteredInputStream metered = reader.metered();
        return new AppliedLayer(metered.digest(), metered.count(), reader.entries());
    }

    private RuntimeException fileSystemFailure(String name, IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null
                && fse.getReason().contains("File name too long")) {
            return Errors.limit("tar entry \"" + Names.abbreviate(name) + "\" resolves to a path too long for the file system");
        }
        return new SystemException("cannot apply tar entry \"" + Names.abbreviate(name) + "\": " + e, e);
    }

    private void handle(LayerReader reader, TarArchiveEntry entry) throws IOException {
        String name = entry.getName();
        Type type = reader.type(entry);
        List<String> parts = Names.confined(name, name, limits);
        fileSystemNames.check(parts, name);
        checkIds(entry);
        if (parts.isEmpty()) {
            if (type != Type.DIRECTORY) {
                throw Errors.malformed(name, "would replace the root directory with a " + type.name().toLowerCase());
            }
            // The root's owner and mode are the caller's: a layer may not make it world-writable (TAR-60).
            return;
        }
        String base = parts.get(parts.size() - 1);
        if (base.equals(OPAQUE)) {
            opaque(parts.subList(0, parts.size() - 1));
            return;
        }
        if (parts.get(0).startsWith(WHITEOUT_META)) {
            // AUFS metadata (.wh..wh.aufs, .wh..wh.plnk/...): never materialised (TAR-38).
            LOG.debug("skipping AUFS metadata entry {}", name);
            return;
        }
        for (int i = 0; i < parts.size() - 1; i++) {
            if (parts.get(i).startsWith(WHITEOUT)) {
                throw Errors.malformed(name, "has a whiteout prefix on a directory component");
            }
        }
        if (base.startsWith(WHITEOUT_META)) {
            LOG.debug("skipping AUFS metadata entry {}", name);
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            whiteout(name, parts.subList(0, parts.size() - 1), base.substring(WHITEOUT.length()));
            return;
        }
        switch (type) {
            case FILE -> file(reader, entry, parts);
            case DIRECTORY -> directory(entry, parts);
            case SYMLINK -> symlink(entry, parts);
            case HARDLINK -> hardlink(entry, parts);
            case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> special(reader, entry, type, parts);
        }
    }

    private void checkIds(TarArchiveEntry entry) {
        long uid = entry.getLongUserId();
        long gid = entry.getLongGroupId();
        if (uid < 0 || uid > Integer.MAX_VALUE || gid < 0 || gid > Integer.MAX_VALUE) {
            throw Errors.malformed(entry.getName(), "has uid/gid " + uid + "/" + gid
                    + " outside 0.." + Integer.MAX_VALUE);
        }
    }

    /** Resolves the parents, creates the missing ones, and clears the final component unless keepDirectory. */
    private List<String> prepare(List<String> parts, boolean keepDirectory) throws IOException {
        List<String> resolved = resolver.resolveParent(parts);
        Path dir = root;
        for (int i = 0; i < resolved.size() - 1; i++) {
            dir = dir.resolve(resolved.get(i));
            List<String> prefix = resolved.subList(0, i + 1);
            if (resolver.isKnownDirectory(prefix)) {
                continue;
            }
            BasicFileAttributes attributes = lstat(dir);
            if (attributes == null) {
                Files.createDirectory(dir);
                markUnpacked(prefix);
            } else if (!attributes.isDirectory()) {
                throw new NotDirectoryException(dir.toString());
            }
            resolver.rememberDirectory(prefix);
        }
        Path target = dir.resolve(resolved.get(resolved.size() - 1));
        BasicFileAttributes existing = lstat(target);
        if (existing != null && !(keepDirectory && existing.isDirectory())) {
            deleteTree(target);
        }
        markUnpacked(resolved);
        return resolved;
    }

    private void file(LayerReader reader, TarArchiveEntry entry, List<String> parts) throws IOException {
        List<String> resolved = prepare(parts, false);
        Path target = resolver.path(resolved);
        InputStream data = reader.data();
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            while (true) {
                int n;
                try {
                    n = data.read(buffer);
                } catch (IOException e) {
                    throw LayerReader.failure("cannot read tar entry \"" + Names.abbreviate(entry.getName()) + "\"", e);
                }
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        }
        Map<String, Object> now = current(target);
        owner(target, entry.getLongUserId(), entry.getLongGroupId(), entry.getName(), now);
        times(target, entry);
        mode(target, entry.getMode(), now);
        xattrs(target, entry);
    }

    private void directory(TarArchiveEntry entry, List<String> parts) throws IOException {
        List<String> resolved = prepare(parts, true);
        Path target = resolver.path(resolved);
        if (lstat(target) == null) {
            Files.createDirectory(target);
        }
        resolver.rememberDirectory(resolved);
        xattrs(target, entry);
        directories.add(new DirectoryMetadata(List.copyOf(resolved), entry.getLongUserId(), entry.getLongGroupId(),
                entry.getMode(), time(entry)));
    }

    private void symlink(TarArchiveEntry entry, List<String> parts) throws IOException {
        String link = linkTarget(entry);
        List<String> resolved = prepare(parts, false);
        Path target = resolver.path(resolved);
        // The target is data for the plugin's own view of its root; it is stored, never followed here (P3).
        Files.createSymbolicLink(target, root.getFileSystem().getPath(link));
        owner(target, entry.getLongUserId(), entry.getLongGroupId(), entry.getName(), current(target));
        times(target, entry);
    }

    private void hardlink(TarArchiveEntry entry, List<String> parts) throws IOException {
        String link = linkTarget(entry);
        List<String> linkParts = Names.confined(link, entry.getName() + " -> " + link, limits);
        fileSystemNames.check(linkParts, entry.getName() + " -> " + link);
        if (linkParts.isEmpty()) {
            throw Errors.malformed(entry.getName(), "is a hard link to the root directory");
        }
        List<String> linkResolved;
        try {
            linkResolved = resolver.resolveParent(linkParts);
        } catch (NotDirectoryException e) {
            throw Errors.malformed(entry.getName(), "is a hard link to a missing file \"" + link + "\"");
        }
        BasicFileAttributes source = lstat(resolver.path(linkResolved));
        if (source == null) {
            throw Errors.malformed(entry.getName(), "is a hard link to \"" + link
                    + "\", which does not exist (yet) in the root");
        }
        if (source.isDirectory()) {
            throw Errors.malformed(entry.getName(), "is a hard link to the directory \"" + link + "\"");
        }
        if (resolver.resolveParent(parts).equals(linkResolved)) {
            throw Errors.malformed(entry.getName(), "is a hard link to itself");
        }
        List<String> resolved = prepare(parts, false);
        // link(2) does not follow a symlink source: the new name shares the symlink's inode (P4, TAR-25).
        // No metadata is applied: it would change the shared inode, which another entry owns.
        try {
            Files.createLink(resolver.path(resolved), resolver.path(linkResolved));
        } catch (NoSuchFileException e) {
            // Replacing the final component removed the source (e.g. "a" linking to "a/b").
            throw Errors.malformed(entry.getName(), "is a hard link to \"" + link + "\", which it replaced");
        }
    }

    private void special(LayerReader reader, TarArchiveEntry entry, Type type, List<String> parts) throws IOException {
        char kind = switch (type) {
            case FIFO -> 'p';
            case CHAR_DEVICE -> 'c';
            default -> 'b';
        };
        long major = 0;
        long minor = 0;
        if (kind != 'p') {
            major = reader.devMajor();
            minor = reader.devMinor();
            if (major < 0 || major > MAX_MAJOR || minor < 0 || minor > MAX_MINOR
                    || entry.getDevMajor() != major || entry.getDevMinor() != minor) {
                throw Errors.malformed(entry.getName(), "has device numbers out of range ("
                        + major + ":" + minor + ")");
            }
        }
        String what = kind == 'p' ? "FIFO" : "device " + major + ":" + minor;
        switch (policy.specialFiles()) {
            case REJECT -> throw Errors.malformed(entry.getName(), "is a " + what + "; the policy refuses special files");
            case SKIP -> {
                LOG.warn("skipping {} entry {}: the policy skips special files", what, entry.getName());
                return;
            }
            default -> {
                // CREATE and CREATE_OR_SKIP go on below.
            }
        }
        boolean create = policy.specialFiles() == RootfsPolicy.SpecialFiles.CREATE;
        if (!defaultFileSystem || !nodes.available()) {
            String why = !defaultFileSystem ? "the root is not on the default file system" : "mknod is not available";
            if (create) {
                throw Errors.of(Kind.UNSUPPORTED, "cannot create " + what + " \"" + entry.getName() + "\": " + why);
            }
            LOG.warn("skipping {} entry {}: {}", what, entry.getName(), why);
            return;
        }
        List<String> resolved = prepare(parts, false);
        Path target = resolver.path(resolved);
        String failure = nodes.make(target, kind, entry.getMode(), major, minor);
        if (failure != null) {
            unpacked.remove(Names.join(resolved));
            if (create) {
                throw Errors.of(Kind.UNSUPPORTED, "cannot create " + what + " \"" + entry.getName() + "\": " + failure);
            }
            LOG.warn("skipping {} entry {}: {}", what, entry.getName(), failure);
            return;
        }
        owner(target, entry);
        String touched = nodes.touch(target, time(entry).to(java.util.concurrent.TimeUnit.SECONDS));
        if (touched != null) {
            LOG.debug("cannot set the times of {}: {}", entry.getName(), touched);
        }
    }

    private void whiteout(String name, List<String> parentParts, String victim) throws IOException {
        if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
            throw Errors.malformed(name, "is an invalid whiteout");
        }
        List<String> parent;
        try {
            parent = resolver.resolve(parentParts);
        } catch (NotDirectoryException e) {
            return; // whiting out below a file: there is nothing to remove (TAR-40)
        }
        BasicFileAttributes dir = lstat(resolver.path(parent));
        if (dir == null || !dir.isDirectory()) {
            return;
        }
        List<String> resolved = new ArrayList<>(parent);
        resolved.add(victim);
        if (unpacked.contains(Names.join(resolved))) {
            return; // whiteouts hide lower layers only (TAR-36)
        }
        Path target = resolver.path(resolved);
        if (lstat(target) != null) {
            deleteTree(target);
        }
    }

    private void opaque(List<String> parentParts) throws IOException {
        List<String> parent;
        try {
            parent = resolver.resolve(parentParts);
        } catch (NotDirectoryException e) {
            return;
        }
        Path dir = resolver.path(parent);
        BasicFileAttributes attributes = lstat(dir);
        if (attributes == null || !attributes.isDirectory()) {
            return;
        }
        Deque<Path> todo = new ArrayDeque<>();
        todo.push(dir);
        while (!todo.isEmpty()) {
            Path current = todo.pop();
            List<Path> children;
            try (Stream<Path> list = Files.list(current)) {
                children = list.toList();
            }
            for (Path child : children) {
                String relative = relative(child);
                if (!unpacked.contains(relative)) {
                    deleteTree(child);
                } else {
                    BasicFileAttributes a = lstat(child);
                    if (a != null && a.isDirectory()) {
                        todo.push(child);
                    }
                }
            }
        }
    }

    private String relative(Path path) {
        Path r = root.relativize(path);
        List<String> parts = new ArrayList<>();
        for (Path p : r) {
            parts.add(p.toString());
        }
        return Names.join(parts);
    }

    private String linkTarget(TarArchiveEntry entry) {
        String link = entry.getLinkName();
        if (link.length() > limits.maxLinkTargetLength()
                || link.getBytes(StandardCharsets.UTF_8).length > limits.maxLinkTargetLength()) {
            throw Errors.limit("tar entry \"" + Names.abbreviate(entry.getName()) + "\" has a link target of "
                    + link.length() + " characters; the limit is " + limits.maxLinkTargetLength() + " bytes");
        }
        Names.checkChars(link, entry.getName() + " -> " + link);
        if (link.isEmpty()) {
            throw Errors.malformed(entry.getName(), "has an empty link target");
        }
        return link;
    }

    private void markUnpacked(List<String> resolved) {
        for (int i = resolved.size(); i > 0; i--) {
            if (!unpacked.add(Names.join(resolved.subList(0, i)))) {
                break;
            }
        }
    }

    private void owner(Path target, TarArchiveEntry entry) throws IOException {
        owner(target, entry.getLongUserId(), entry.getLongGroupId(), entry.getName(), null);
    }

    /**
     * The mode, owner and group a node has now (one {@code lstat}), on the default file system with unix
     * attributes; null elsewhere. Lets {@link #owner} and {@link #mode} skip a call that would change
     * nothing: most entries of most layers are already right (root extracting files owned by 0:0 with mode
     * 0644), and two {@code lchown}s and an {@code open}/{@code fchmod}/{@code close} per file were most of
     * the system calls of installing 2,000 small files (strace, issue 13).
     */
    private Map<String, Object> current(Path target) throws IOException {
        if (!defaultFileSystem || !unixAttributes) {
            return null;
        }
        return Files.readAttributes(target, "unix:mode,uid,gid", NOFOLLOW);
    }

    private static boolean has(Map<String, Object> now, String attribute, long value, long mask) {
        return now != null && (((Integer) now.get(attribute)) & mask) == value;
    }

    /** Sets the owner and group that differ from {@code now} (all of them when {@code now} is null). */
    private void owner(Path target, long uid, long gid, String name, Map<String, Object> now) throws IOException {
        if (!chown) {
            return;
        }
        try {
            // unix:uid and unix:gid with NOFOLLOW_LINKS are lchown: a symlink's own owner changes, never its target's.
            if (!has(now, "uid", uid, 0xffffffffL)) {
                Files.setAttribute(target, "unix:uid", (int) uid, NOFOLLOW);
            }
            if (!has(now, "gid", gid, 0xffffffffL)) {
                Files.setAttribute(target, "unix:gid", (int) gid, NOFOLLOW);
            }
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("not permitted")) {
                LOG.debug("not permitted to change owners (not root?); ownership is skipped from {} on", name);
                chown = false;
            } else {
                throw e;
            }
        }
    }

    private void times(Path target, TarArchiveEntry entry) throws IOException {
        FileTime t = time(entry);
        // With NOFOLLOW_LINKS the JDK uses lutimes on a symlink and O_NOFOLLOW otherwise: never through a link.
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, t, null);
    }

    /** Sets the mode unless {@code now} shows it already (a chown in between may have cleared setuid). */
    private void mode(Path target, int mode, Map<String, Object> now) throws IOException {
        int bits = mode & 07777;
        if (has(now, "mode", bits, 07777) && (bits & 06000) == 0) {
            return;
        }
        if (defaultFileSystem && root.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            // unix:mode keeps setuid, setgid and sticky, which PosixFilePermission cannot express; with
            // NOFOLLOW_LINKS the JDK opens O_NOFOLLOW and uses fchmod, so a symlink is refused, not followed.
            Files.setAttribute(target, "unix:mode", bits, NOFOLLOW);
        } else if (posix) {
            Files.getFileAttributeView(target, PosixFileAttributeView.class, NOFOLLOW).setPermissions(permissions(bits));
        }
    }

    private void xattrs(Path target, TarArchiveEntry entry) throws IOException {
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            if (!header.getKey().startsWith("SCHILY.xattr.")) {
                continue;
            }
            String attribute = header.getKey().substring("SCHILY.xattr.".length());
            byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
            if (value.length > MAX_XATTR_VALUE) {
                throw Errors.limit("tar entry \"" + Names.abbreviate(entry.getName()) + "\" has an xattr value of "
                        + value.length + " bytes; the limit is " + MAX_XATTR_VALUE);
            }
            if (!policy.xattrs() || !attribute.startsWith("user.") || attribute.length() == "user.".length()) {
                LOG.debug("dropping xattr {} of {}", attribute, entry.getName());
                continue;
            }
            UserDefinedFileAttributeView view =
                    Files.getFileAttributeView(target, UserDefinedFileAttributeView.class, NOFOLLOW);
            if (view == null) {
                LOG.debug("dropping xattr {} of {}: user attributes are not supported", attribute, entry.getName());
                continue;
            }
            try {
                view.write(attribute.substring("user.".length()), ByteBuffer.wrap(value));
            } catch (FileSystemException e) {
                LOG.warn("dropping xattr {} of {}: {}", attribute, entry.getName(), e.getMessage());
            }
        }
    }

    private void applyDirectoryMetadata() throws IOException {
        for (int i = directories.size() - 1; i >= 0; i--) {
            DirectoryMetadata d = directories.get(i);
            // A later entry may have replaced the directory or a parent with a symlink: re-check the
            // whole path, so metadata never lands outside the root through one.
            if (!plainDirectory(d.resolved())) {
                continue;
            }
            Path target = resolver.path(d.resolved());
            Map<String, Object> now = current(target);
            owner(target, d.uid(), d.gid(), Names.join(d.resolved()), now);
            Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW).setTimes(d.mtime(), d.mtime(), null);
            mode(target, d.mode(), now);
        }
    }

    private boolean plainDirectory(List<String> resolved) throws IOException {
        Path p = root;
        for (String part : resolved) {
            p = p.resolve(part);
            BasicFileAttributes a = lstat(p);
            if (a == null || !a.isDirectory()) {
                return false;
            }
        }
        return true;
    }

    private static FileTime time(TarArchiveEntry entry) {
        FileTime t = entry.getLastModifiedTime();
        long seconds = t == null ? 0 : t.to(java.util.concurrent.TimeUnit.SECONDS);
        if (seconds < 0) {
            return FileTime.fromMillis(0);
        }
        if (seconds > MAX_EPOCH_SECOND) {
            return FileTime.from(MAX_EPOCH_SECOND, java.util.concurrent.TimeUnit.SECONDS);
        }
        return t;
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }

    /** Deletes a file, a symlink (never its target) or a directory tree, iteratively. */
    private void deleteTree(Path path) throws IOException {
        resolver.forget();
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Set<PosixFilePermission> permissions(int bits) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }
}
