package dev.berth.archive;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Describes a directory tree on the default file system so two trees can be compared in one assertion,
 * and deletes trees a layer made.
 */
final class Trees {
    private Trees() {
    }

    /**
     * One line per path: type, permission bits with setuid/setgid/sticky, owner, mtime in seconds, and
     * the content digest or link target; hard links are shown as the first path sharing the inode.
     */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Map<Object, String> inodes = new HashMap<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = new ArrayList<>(s.filter(p -> !p.equals(root)).sorted().toList());
        }
        for (Path p : paths) {
            String name = root.relativize(p).toString();
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            String owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                    + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            String what;
            if (a.isSymbolicLink()) {
                what = "symlink -> " + Files.readSymbolicLink(p) + " " + owner;
            } else if (a.isDirectory()) {
                what = "dir " + Integer.toOctalString(mode & 07777) + " " + owner + " " + a.lastModifiedTime().toMillis() / 1000;
            } else if (a.isRegularFile()) {
                String first = inodes.putIfAbsent(a.fileKey(), name);
                what = "file " + Integer.toOctalString(mode & 07777) + " " + owner + " "
                        + a.lastModifiedTime().toMillis() / 1000 + " " + Digest.sha256(Files.readAllBytes(p))
                        + (first != null ? " hardlink-of " + first : "");
            } else {
                what = "special " + Integer.toOctalString(mode) + " " + owner;
            }
            out.put(name, what);
        }
        return out;
    }

    /** Deletes a tree whatever modes a layer gave its directories. */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(p, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
