package dev.berth.benchmarks.jmh;

import dev.berth.archive.TarRootfsApplier;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link TarRootfsApplier} applying an uncompressed tar of 2,000 small files (100–5,500 bytes of base64,
 * in 20 directories: the small-file half of real-components.md §7) onto an empty directory under
 * {@code java.io.tmpdir}. One apply per invocation; the fresh directory is made and removed outside the
 * timing. Score: ms per layer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 15)
@Fork(1)
public class TarApplyBenchmark {
    static final int FILES = 2000;

    byte[] tar;
    TarRootfsApplier applier;
    Path root;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        tar = smallFilesTar(FILES, 4);
        applier = TarRootfsApplier.create();
    }

    static byte[] smallFilesTar(int files, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (int d = 0; d < 20; d++) {
                TarArchiveEntry dir = new TarArchiveEntry("small/d" + d + "/");
                dir.setMode(040755);
                out.putArchiveEntry(dir);
                out.closeArchiveEntry();
            }
            for (int i = 0; i < files; i++) {
                byte[] content = Data.text(100 + r.nextInt(5401), seed + i);
                TarArchiveEntry e = new TarArchiveEntry("small/d" + (i % 20) + "/f" + i + ".txt");
                e.setMode(0100644);
                e.setSize(content.length);
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Setup(Level.Invocation)
    public void freshRoot() throws IOException {
        root = Files.createTempDirectory("berth-jmh-rootfs-");
    }

    @TearDown(Level.Invocation)
    public void removeRoot() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public AppliedLayer apply() {
        return applier.apply(new ByteArrayInputStream(tar), MediaTypes.OCI_LAYER_TAR, root);
    }
}
