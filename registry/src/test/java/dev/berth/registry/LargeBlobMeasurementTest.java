package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.testkit.registry.RealRegistry;
import dev.berth.testkit.registry.Tools;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes a 100 MiB blob to the real registry, then fetches it with Berth (verifying as it streams; also
 * through the JDK client, for comparison) and with curl, in the same run, and prints them (best of five).
 * The heap must not retain the blob while it streams; the time is asserted only against gross regressions
 * (see the comment at the assertion).
 */
@Timeout(300)
class LargeBlobMeasurementTest {
    static final int SIZE = 100 << 20;

    @Test
    void fetch_100MiB_streamsInBoundedMemoryAndKeepsUpWithCurl(@TempDir Path dir) throws Exception {
        Path curl = Tools.require("curl", "curl");
        Path file = dir.resolve("blob.bin");
        Random random = new Random(42);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < SIZE / buf.length; i++) {
                random.nextBytes(buf);
                out.write(buf);
            }
        }
        Digest digest;
        try (InputStream in = Files.newInputStream(file)) {
            dev.berth.oci.Digester d = dev.berth.oci.Digester.sha256();
            in.transferTo(d.wrap(OutputStream.nullOutputStream()));
            digest = d.digest();
        }
        Descriptor desc = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, digest, SIZE);
        try (RealRegistry registry = RealRegistry.plain(dir.resolve("registry"))) {
            Reference ref = Reference.parse(registry.host() + "/bench/big:1");
            HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();
            long pushStart = System.nanoTime();
            resolver.pusher(ref).push(desc, BlobSource.of(file));
            double pushSeconds = (System.nanoTime() - pushStart) / 1e9;

            String url = registry.uri() + "/v2/bench/big/blobs/" + digest;
            double berthBest = Double.MAX_VALUE;
            double curlBest = Double.MAX_VALUE;
            long peakHeapGrowth = 0;
            for (int round = 0; round < 6; round++) {
                long t0 = System.nanoTime();
                Tools.run(List.of(curl.toString(), "-sf", "-o", "/dev/null", url), new byte[0]);
                curlBest = Math.min(curlBest, (System.nanoTime() - t0) / 1e9);

                System.gc();
                long heapBefore = usedHeap();
                // the timed rounds discard; the last round probes what the heap retains mid-stream
                OutputStream sink = round == 5 ? new RetainedProbe(90L << 20) : OutputStream.nullOutputStream();
                long t1 = System.nanoTime();
                long n;
                try (InputStream in = resolver.fetcher(ref).fetch(desc)) {
                    n = in.transferTo(sink);
                }
                if (round < 5) {
                    berthBest = Math.min(berthBest, (System.nanoTime() - t1) / 1e9);
                } else {
                    peakHeapGrowth = ((RetainedProbe) sink).retained - heapBefore;
                }
                assertThat(n).isEqualTo(SIZE);
            }
            System.out.printf("MEASURE 100MiB: push %.3f s; fetch+verify berth best %.3f s (%.0f MB/s), curl best %.3f s"
                    + " (%.0f MB/s), ratio %.2f; heap retained mid-stream %d MiB%n", pushSeconds, berthBest,
                    SIZE / 1e6 / berthBest, curlBest, SIZE / 1e6 / curlBest, berthBest / curlBest,
                    peakHeapGrowth >> 20);
            assertThat(peakHeapGrowth).as("heap growth while streaming").isLessThan(64L << 20);
            // The target is 2x curl. curl only copies; Berth also hashes (about 0.066 s for 100 MiB with
            // SHA-NI, more than curl's whole fetch), and on two cores the registry, the receive and the hash
            // share the CPU, so the floor is near 1.6x; Berth's HTTP client measured about 1.7x.
            // The assertion guards against gross regressions only, so a loaded CI machine does not flake;
            // the printed MEASURE line is the number to read.
            assertThat(berthBest).as("Berth vs curl").isLessThan(4 * curlBest + 0.5);
        }
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Discards bytes; at {@code mark} bytes, collects garbage and records what the heap still holds. */
    static final class RetainedProbe extends OutputStream {
        final long mark;
        long count;
        long retained = -1;

        RetainedProbe(long mark) {
            this.mark = mark;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            long before = count;
            count += len;
            if (before < mark && count >= mark) {
                System.gc();
                retained = usedHeap();
            }
        }
    }
}
