package dev.berth.archive.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes FIFOs and device nodes, and sets times on them, with coreutils' {@code mknod} and
 * {@code touch -h}: pure Java has no {@code mknod}, and the JDK opens a file to set its times, which
 * would block on a FIFO or touch a device. The paths passed are already resolved inside the private
 * root, so the tools never see an archive name.
 */
public final class NodeMaker {
    private static final long TIMEOUT_SECONDS = 30;

    private final Optional<Path> mknod;
    private final Optional<Path> touch;

    /** Finds the tools in the usual places. */
    public NodeMaker() {
        this.mknod = find("mknod");
        this.touch = find("touch");
    }

    /** Whether nodes can be made at all on this machine. */
    public boolean available() {
        return mknod.isPresent();
    }

    /**
     * Makes a node.
     *
     * @param type 'p' for a FIFO, 'c' or 'b' for devices
     * @return null on success, else the tool's complaint
     */
    public String make(Path path, char type, int mode, long major, long minor) throws IOException {
        List<String> command = new ArrayList<>(List.of(mknod.orElseThrow().toString(), "-m",
                Integer.toOctalString(mode & 07777), "--", path.toString(), String.valueOf(type)));
        if (type != 'p') {
            command.add(Long.toString(major));
            command.add(Long.toString(minor));
        }
        return run(command);
    }

    /** Sets the modification and access times of a node without opening or following it. */
    public String touch(Path path, long epochSecond) throws IOException {
        if (touch.isEmpty()) {
            return "touch is not available";
        }
        return run(List.of(touch.get().toString(), "-h", "-c", "-d", "@" + epochSecond, "--", path.toString()));
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readNBytes(4096), StandardCharsets.UTF_8).trim();
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return command.get(0) + " timed out";
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        return process.exitValue() == 0 ? null : (output.isEmpty() ? "exit status " + process.exitValue() : output);
    }

    private static Optional<Path> find(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
