package dev.berth.benchmarks.jmh;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.util.concurrent.TimeUnit;
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
 * SHA-256 through {@link Digester} over a 64 MiB buffer fed in {@code chunk}-sized updates, as the store
 * and the registry client feed it. Score: ms per 64 MiB (divide 64 MiB by it for MB/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DigestBenchmark {
    static final int SIZE = 64 << 20;

    @Param({"8192", "1048576"})
    public int chunk;

    byte[] data;

    @Setup
    public void setup() {
        data = Data.random(SIZE, 1);
    }

    @Benchmark
    public Digest sha256() {
        Digester d = Digester.sha256();
        for (int off = 0; off < data.length; off += chunk) {
            d.update(data, off, Math.min(chunk, data.length - off));
        }
        return d.digest();
    }
}
