package dev.berth.benchmarks.jmh;

import dev.berth.archive.internal.ParallelGzipOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gzip at Docker's default level (6, Go's {@code gzip.DefaultCompression}) and gunzip of the result, one
 * core, over 16 MiB of random bytes (the 100 MiB file of §7: stored blocks) or base64 text (the small
 * files); {@link #deflateParallel} is the same level on every core, as create writes layers. Score: ms
 * per 16 MiB of uncompressed input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GzipBenchmark {
    static final int SIZE = 16 << 20;
    /** The buffer the store and applier read with. */
    static final int BUFFER = 1 << 20;

    @Param({"random", "text"})
    public String content;

    byte[] plain;
    byte[] gzipped;

    @Setup
    public void setup() throws IOException {
        plain = content.equals("random") ? Data.random(SIZE, 2) : Data.text(SIZE, 2);
        gzipped = gzip(plain, Deflater.DEFAULT_COMPRESSION);
    }

    static byte[] gzip(byte[] in, int level) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(in.length / 2 + 1024);
        try (OutputStream out = new GZIPOutputStream(bytes, BUFFER) {
            {
                def.setLevel(level);
            }
        }) {
            out.write(in);
        }
        return bytes.toByteArray();
    }

    @Benchmark
    public int deflateDefaultLevel() throws IOException {
        return gzip(plain, 6).length;
    }

    /** What create writes: one member deflated in 128 KiB blocks on every core (issue 13 item 3). */
    @Benchmark
    public int deflateParallel() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(plain.length / 2 + 1024);
        try (OutputStream out = new ParallelGzipOutputStream(bytes, 6)) {
            out.write(plain);
        }
        return bytes.size();
    }

    @Benchmark
    public long inflate() throws IOException {
        long n = 0;
        byte[] buf = new byte[BUFFER];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped), BUFFER)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        }
        return n;
    }
}
