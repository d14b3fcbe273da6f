package dev.berth.core.internal.mount;

import dev.berth.exception.SystemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's mount table as Berth needs it: mount points below a directory, and their removal before
 * the directory is deleted (a recursive delete must never walk into a mounted file system, and a
 * plugin's propagated mount can hold a volume's data); and the shared propagated mount itself. Linux
 * only, through {@code /proc/self/mountinfo} and the {@code mount}/{@code umount} commands; elsewhere, and
 * on non-default file systems, there is nothing to do.
 */
public final class HostMounts {
    private static final Logger LOG = LoggerFactory.getLogger(HostMounts.class);
    private static final Path MOUNTINFO = FileSystems.getDefault().getPath("/proc/self/mountinfo");

    private HostMounts() {
    }

    /** The mount points at or below {@code dir}, deepest first. */
    public static List<Path> under(Path dir) {
        if (dir.getFileSystem() != FileSystems.getDefault() || !Files.isReadable(MOUNTINFO)) {
            return List.of();
        }
        Path base = dir.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    Path mountPoint = FileSystems.getDefault().getPath(unescape(fields[4]));
                    if (mountPoint.startsWith(base)) {
                        out.add(mountPoint);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SystemException("cannot read " + MOUNTINFO + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return out;
    }

    /**
     * Unmounts everything at or below {@code dir}, deepest first (lazily if a normal unmount fails).
     *
     * @throws SystemException {@code error unmounting plugin data} if a mount point stays
     */
    public static void unmountAll(Path dir) {
        List<Path> mounts = under(dir);
        for (Path m : mounts) {
            LOG.info("unmounting {}", m);
            if (!umount(m, false)) {
                umount(m, true);
            }
        }
        if (!mounts.isEmpty() && !under(dir).isEmpty()) {
            throw new SystemException("error unmounting plugin data: still mounted under " + dir + ": " + under(dir));
        }
    }

    /**
     * Makes {@code dir} a shared mount point, recursively ({@code rshared}), bind-mounting it onto
     * itself first when it is not a mount point: what Docker does to a plugin's propagated-mount
     * directory so that mounts the plugin makes inside it appear on the host. Needs root; without it
     * the failure is logged and the plugin runs without propagation.
     *
     * @return whether the directory is now shared
     */
    public static boolean makeRShared(Path dir) {
        if (dir.getFileSystem() != FileSystems.getDefault() || !Files.isReadable(MOUNTINFO)) {
            return false;
        }
        Path abs = dir.toAbsolutePath().normalize();
        if (!under(abs).contains(abs) && !run(List.of("mount", "--bind", abs.toString(), abs.toString()))) {
            return false;
        }
        return run(List.of("mount", "--make-rshared", abs.toString()));
    }

    /** Unmounts {@code dir} itself if it is a mount point (lazily if a normal unmount fails). */
    public static void unmount(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (under(abs).contains(abs) && !umount(abs, false)) {
            umount(abs, true);
        }
    }

    private static boolean umount(Path mountPoint, boolean lazy) {
        List<String> cmd = new ArrayList<>(List.of("umount"));
        if (lazy) {
            cmd.add("-l");
        }
        cmd.add(mountPoint.toString());
        return run(cmd);
    }

    private static boolean run(List<String> cmd) {
        Path mountPoint = FileSystems.getDefault().getPath(cmd.get(cmd.size() - 1));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                LOG.warn("{} failed: {}", String.join(" ", cmd), output);
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            LOG.warn("cannot run {} for {}: {}", cmd.get(0), mountPoint, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
