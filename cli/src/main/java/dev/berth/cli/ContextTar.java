package dev.berth.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs a create context directory into a tar, as {@code docker plugin create} does on the client
 * side (moby's {@code archive.TarWithOptions}): entries in name order, modes, numeric owners and
 * modification times (in whole seconds, as moby truncates them) kept, no user or group names, symbolic
 * links stored as links and never followed. So an unchanged directory gives the same tar, hence the
 * same layer digest. Sockets, pipes and devices are skipped with a warning: a plugin rootfs gets its
 * devices from the config.
 */
final class ContextTar {
    private static final Logger LOG = LoggerFactory.getLogger(ContextTar.class);

    private ContextTar() {
    }

    /** Writes the tar of {@code dir} into {@code out} (in 64 KiB writes), then closes it. */
    static void write(Path dir, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(out, 65536), 512)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path child : sorted(dir)) {
                add(tar, dir, child);
            }
            tar.finish();
        }
    }

    private static List<Path> sorted(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * What the tar keeps of a file, read with one {@code lstat} where the JDK offers the unix view (every
     * attribute asked for separately had cost eight system calls per file).
     */
    private record Attributes(boolean symlink, boolean directory, boolean regular, long size, FileTime modified,
                              int permissions, long uid, long gid) {
        static Attributes of(Path p) throws IOException {
            if (p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> m = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                // permission bits only, as PosixFilePermission gives them: the tar keeps no setuid bits
                return new Attributes((Boolean) m.get("isSymbolicLink"), (Boolean) m.get("isDirectory"),
                        (Boolean) m.get("isRegularFile"), (Long) m.get("size"), (FileTime) m.get("lastModifiedTime"),
                        (Integer) m.get("mode") & 0777, (Integer) m.get("uid") & 0xffffffffL,
                        (Integer) m.get("gid") & 0xffffffffL);
            }
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int permissions;
            try {
                permissions = bits(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
            } catch (UnsupportedOperationException e) {
                permissions = b.isDirectory() ? 0755 : 0644;
            }
            return new Attributes(b.isSymbolicLink(), b.isDirectory(), b.isRegularFile(), b.size(),
                    b.lastModifiedTime(), permissions, 0, 0);
        }
    }

    private static void add(TarArchiveOutputStream tar, Path base, Path p) throws IOException {
        String name = base.relativize(p).toString().replace('\\', '/');
        Attributes a = Attributes.of(p);
        if (a.symlink()) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            metadata(e, a);
            e.setMode(0120777);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } else if (a.directory()) {
            TarArchiveEntry e = new TarArchiveEntry(name + "/");
            e.setMode(040000 | a.permissions());
            metadata(e, a);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            for (Path child : sorted(p)) {
                add(tar, base, child);
            }
        } else if (a.regular()) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(a.size());
            e.setMode(0100000 | a.permissions());
            metadata(e, a);
            tar.putArchiveEntry(e);
            Files.copy(p, tar);
            tar.closeArchiveEntry();
        } else {
            LOG.warn("skipping {}: not a file, directory or symbolic link", p);
        }
    }

    private static int bits(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission perm : perms) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    private static void metadata(TarArchiveEntry e, Attributes a) {
        // The entry's own constructor stamps "now" and the JVM user's name; the file's time and no
        // names, as moby writes them, keep the tar the same from one run to the next.
        e.setLastModifiedTime(FileTime.from(a.modified().to(TimeUnit.SECONDS), TimeUnit.SECONDS));
        e.setUserName("");
        e.setGroupName("");
        e.setUserId(a.uid());
        e.setGroupId(a.gid());
    }
}
