package dev.berth.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short external commands with a deadline, capturing (bounded) output. */
final class Procs {
    private static final int MAX_OUTPUT = 4 << 20;

    /** What a command printed and returned. */
    record Result(List<String> command, int code, String out, String err) {
        Result orThrow() {
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + code + ": " + err.strip()
                        + (out.isBlank() ? "" : " / " + out.strip()));
            }
            return this;
        }
    }

    private Procs() {
    }

    static Result run(Map<String, String> env, Duration timeout, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close(); // no input: commands that would prompt see end of file
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = drain(p.getInputStream(), out);
        Thread t2 = drain(p.getErrorStream(), err);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            t1.join(10_000);
            t2.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
        return new Result(command, p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (sink) {
                        if (sink.size() + n <= MAX_OUTPUT) {
                            sink.write(buf, 0, n);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process went away; what was read is kept
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
