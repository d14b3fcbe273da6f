package dev.berth.benchmarks.jmh;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.remote.Fetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a 64 MiB blob body over plain HTTP from a minimal loopback server ({@link BlobServer}): through
 * Berth's registry client (digest verified while reading), and through a bare {@code java.net.http}
 * client as the reference. Score: ms per 64 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HttpBodyBenchmark {
    static final int SIZE = 64 << 20;

    BlobServer server;
    Fetcher fetcher;
    Descriptor descriptor;
    HttpClient jdk;
    URI blobUri;
    final byte[] buffer = new byte[1 << 20];

    @Setup
    public void setup() throws IOException {
        byte[] body = Data.random(SIZE, 3);
        Digest digest = Digest.sha256(body);
        server = new BlobServer(body, digest.toString());
        Reference ref = Reference.parse("127.0.0.1:" + server.port() + "/bench/blob:1");
        fetcher = HttpRegistryResolver.builder().build().fetcher(ref);
        descriptor = Descriptor.of(MediaTypes.OCTET_STREAM, digest, SIZE);
        jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        blobUri = URI.create("http://127.0.0.1:" + server.port() + "/v2/bench/blob/blobs/" + digest);
    }

    @TearDown
    public void tearDown() throws IOException {
        server.close();
    }

    private long drain(InputStream in) throws IOException {
        long n = 0;
        try (in) {
            for (int r; (r = in.read(buffer)) > 0; ) {
                n += r;
            }
        }
        return n;
    }

    @Benchmark
    public long berthFetcher() throws IOException {
        return drain(fetcher.fetch(descriptor));
    }

    @Benchmark
    public long jdkHttpClient() throws IOException, InterruptedException {
        return drain(jdk.send(HttpRequest.newBuilder(blobUri).build(), HttpResponse.BodyHandlers.ofInputStream()).body());
    }
}
