package dev.berth.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
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

    private static void add(TarArchiveOutputStream tar, Path base, Path p) throws IOException {
        String name = base.relativize(p).toString().replace('\\', '/');
        if (Files.isSymbolicLink(p)) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            metadata(e, p);
            e.setMode(0120777);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            TarArchiveEntry e = new TarArchiveEntry(name + "/");
            e.setMode(040000 | mode(p));
            metadata(e, p);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            for (Path child : sorted(p)) {
                add(tar, base, child);
            }
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(Files.size(p));
            e.setMode(0100000 | mode(p));
            metadata(e, p);
            tar.putArchiveEntry(e);
            Files.copy(p, tar);
            tar.closeArchiveEntry();
        } else {
            LOG.warn("skipping {}: not a file, directory or symbolic link", p);
        }
    }

    private static int mode(Path p) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return Files.isDirectory(p) ? 0755 : 0644;
        }
        int m = 0;
        for (PosixFilePermission perm : perms) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    private static void metadata(TarArchiveEntry e, Path p) throws IOException {
        // The entry's own constructor stamps "now" and the JVM user's name; the file's time and no
        // names, as moby writes them, keep the tar the same from one run to the next.
        FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        e.setLastModifiedTime(FileTime.from(modified.to(TimeUnit.SECONDS), TimeUnit.SECONDS));
        e.setUserName("");
        e.setGroupName("");
        owner(e, p);
    }

    private static void owner(TarArchiveEntry e, Path p) {
        try {
            e.setUserId(((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
            e.setGroupId(((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            e.setUserId(0);
            e.setGroupId(0);
        }
    }
}
