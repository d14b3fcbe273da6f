package dev.berth.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lays out create contexts, with the sample plugin compiled into a busybox rootfs when possible. */
final class Contexts {
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private final Path work;
    private Optional<Path> binary;

    Contexts(Path work) {
        this.work = work;
    }

    /** The static sample plugin, compiled once; empty when gcc or a static libc is missing. */
    Optional<Path> sampleBinary() throws IOException {
        if (binary == null) {
            Path src = work.resolve("sample-plugin.c");
            try (InputStream in = Contexts.class.getResourceAsStream("/dev/berth/cli/sample-plugin/sample-plugin.c")) {
                if (in == null) {
                    throw new IOException("sample-plugin.c is not on the test class path");
                }
                Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
            }
            Path out = work.resolve("sample-plugin");
            boolean ok = Files.isExecutable(Path.of("/usr/bin/gcc")) && Procs.run(Map.of(), Duration.ofSeconds(120),
                    List.of("gcc", "-static", "-O2", "-o", out.toString(), src.toString())).code() == 0;
            binary = ok ? Optional.of(out) : Optional.empty();
        }
        return binary;
    }

    /** Whether contexts get a runnable rootfs. */
    boolean runnable() throws IOException {
        return sampleBinary().isPresent() && Files.isRegularFile(BUSYBOX);
    }

    /**
     * A context directory with {@code config.json} and a rootfs; {@code marker} is written into the rootfs
     * so no two contexts share a layer (dockerd refuses to create a layer its store already holds).
     */
    Path context(String dirName, String config, String marker) throws IOException {
        Path dir = work.resolve(dirName);
        Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(dir.resolve("config.json"), config);
        Files.writeString(dir.resolve("rootfs/marker"), marker + "\n");
        if (runnable()) {
            Files.copy(sampleBinary().orElseThrow(), bin.resolve("sample-plugin"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        } else {
            Files.writeString(bin.resolve("sample-plugin"), "#!/bin/sh\nexit 1\n");
        }
        return dir;
    }
}
