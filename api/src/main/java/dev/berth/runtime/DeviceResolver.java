package dev.berth.runtime;

import dev.berth.exception.InvalidParameterException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the device nodes behind a host path a plugin's settings give it. Kept apart from
 * {@link PluginSpecGenerator} so that spec generation stays a pure function in tests.
 */
@FunctionalInterface
public interface DeviceResolver {
    /**
     * The device nodes for a host path: the node itself, or every node below a directory.
     *
     * @param hostPath the path from the plugin's settings
     * @return the nodes, never empty
     * @throws InvalidParameterException if the path holds no device node
     */
    List<RuntimeSpec.Device> resolve(String hostPath);

    /** A resolver that knows no devices: every lookup fails. For plugins without devices. */
    static DeviceResolver none() {
        return path -> {
            throw new InvalidParameterException("error gathering device information while adding custom device \""
                    + path + "\": no device resolver configured");
        };
    }

    /**
     * Reads the host's device nodes ({@code stat} of the default file system, Linux only). Symlinks are
     * resolved first, as Docker does; a directory contributes every character or block device below it,
     * at the same path inside the plugin.
     */
    static DeviceResolver host() {
        return hostPath -> {
            Path path = FileSystems.getDefault().getPath(hostPath);
            List<RuntimeSpec.Device> out = new ArrayList<>();
            try {
                Path real = path.toRealPath();
                if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(real)) {
                        for (Path p : (Iterable<Path>) walk::iterator) {
                            device(p, path.resolve(real.relativize(p)).toString(), out);
                        }
                    }
                } else {
                    device(real, hostPath, out);
                }
            } catch (IOException | UnsupportedOperationException e) {
                throw new InvalidParameterException("error gathering device information while adding custom device \""
                        + hostPath + "\": " + e.getMessage(), e);
            }
            if (out.isEmpty()) {
                throw new InvalidParameterException("error gathering device information while adding custom device \""
                        + hostPath + "\": not a device node");
            }
            return List.copyOf(out);
        };
    }

    private static void device(Path node, String inside, List<RuntimeSpec.Device> out) throws IOException {
        Map<String, Object> a = Files.readAttributes(node, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int format = mode & 0170000;
        String type = format == 0020000 ? "c" : format == 0060000 ? "b" : null;
        if (type == null) {
            return;
        }
        long rdev = (Long) a.get("rdev");
        // glibc's encoding of dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
        out.add(new RuntimeSpec.Device(inside, type, major, minor, mode & 07777,
                ((Integer) a.get("uid")).longValue(), ((Integer) a.get("gid")).longValue()));
    }
}
