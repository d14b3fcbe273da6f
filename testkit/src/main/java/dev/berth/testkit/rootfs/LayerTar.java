package dev.berth.testkit.rootfs;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Small layer tars for tests: regular files with their parent directories, and gzip. */
public final class LayerTar {
    private LayerTar() {
    }

    /**
     * An uncompressed tar of {@code files} (path relative to the rootfs, e.g. {@code bin/plugin}, to
     * content), each preceded by its parent directories, in path order. Files are mode 0644.
     */
    public static byte[] of(Map<String, byte[]> files) {
        Tar.Builder tar = Tar.builder();
        Set<String> dirs = new TreeSet<>();
        for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
            String name = f.getKey();
            if (name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
                throw new IllegalArgumentException("a layer file is a relative path: \"" + name + "\"");
            }
            for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                String dir = name.substring(0, i);
                if (dirs.add(dir)) {
                    tar.dir(dir);
                }
            }
            tar.file(name, f.getValue());
        }
        return tar.bytes();
    }

    /** {@code bytes} gzip-compressed. */
    public static byte[] gzip(byte[] bytes) {
        return Tar.gzip(bytes);
    }
}
