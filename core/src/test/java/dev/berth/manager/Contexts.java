package dev.berth.manager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds {@code docker plugin create} contexts (tar streams with config.json and rootfs/) for tests. */
final class Contexts {
    private Contexts() {
    }

    /** A config with a socket and the volume-driver capability, plus extra top-level JSON members. */
    static String config(String socket, String extraMembers) {
        return "{\"description\":\"test plugin\",\"entrypoint\":[\"/bin/plugin\"],"
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"" + socket + "\"}"
                + (extraMembers.isEmpty() ? "" : "," + extraMembers) + "}";
    }

    /** A plain config without privileges. */
    static String config() {
        return config("p.sock", "");
    }

    /** A context tar with {@code config.json} and the given rootfs files (path relative to rootfs). */
    static byte[] tar(String configJson, Map<String, String> rootfsFiles) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            if (configJson != null) {
                file(tar, "config.json", configJson);
            }
            TarArchiveEntry dir = new TarArchiveEntry("rootfs/");
            dir.setMode(0755);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (Map.Entry<String, String> f : rootfsFiles.entrySet()) {
                file(tar, "rootfs/" + f.getKey(), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A context with the plain config and one file. */
    static byte[] simple() {
        return tar(config(), Map.of("bin/plugin", "#!/bin/sh\necho hello\n"));
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setMode(0755);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
