package dev.berth.benchmarks.e2e;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.remote.BlobSource;
import dev.berth.testkit.registry.RealRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;

/**
 * The HTTP stacks side by side, cold: each sample is a fresh JVM that GETs one 100 MiB blob from the
 * loopback {@code docker-registry} (plain and TLS) and hashes it with SHA-256 while reading, as a pull
 * does. Stacks: Berth's registry client ({@code berth}: its own HTTP/1.1 client, digest verified), the
 * JDK's {@code java.net.http} ({@code jdk}), Apache HttpClient 5 classic ({@code hc5}); {@code curl -o
 * /dev/null} (no hash) is the floor. Prints the medians of wall time and of the child's CPU time (its
 * whole JVM: start-up, JIT, GC) as Markdown. Timings are measured here, never asserted in tests.
 *
 * <p>Usage: {@code HttpStackBench [--mib 100] [--runs 5] [--out DIR]}. Needs docker-registry, openssl and
 * curl.
 */
public final class HttpStackBench {
    private static final List<String> STACKS = List.of("berth", "jdk", "hc5", "curl");

    private HttpStackBench() {
    }

    /** Runs the benchmark, or one sample when the first argument is {@code child}. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        int mib = 100;
        int runs = 5;
        Path out = Path.of("benchmarks/target/http-stack-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(out);
        Path work = Files.createTempDirectory(out, "run-");
        Path blob = work.resolve("blob.bin");
        Digest digest = PushBench.writeRandom(blob, (long) mib << 20);
        Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, digest, Files.size(blob));
        String classpath = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, List<Double>> wall = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        for (String proto : List.of("http", "https")) {
            try (RealRegistry registry = proto.equals("https") ? RealRegistry.tls(work.resolve(proto))
                    : RealRegistry.plain(work.resolve(proto))) {
                HttpRegistryResolver.Builder b = HttpRegistryResolver.builder();
                if (proto.equals("https")) {
                    b.loopbackInsecure(false).sslContext(PushBench.trusting(registry.certificate()));
                }
                Reference ref = Reference.parse(registry.host() + "/bench/blob:1");
                b.build().pusher(ref).push(d, BlobSource.of(blob));
                String url = registry.uri() + "/v2/bench/blob/blobs/" + digest;
                for (int round = 0; round < runs; round++) {
                    for (int k = 0; k < STACKS.size(); k++) {
                        // rotate who goes first so none always meets a warmer page cache or registry
                        String stack = STACKS.get((k + round) % STACKS.size());
                        String key = stack + " " + proto;
                        Path log = work.resolve("sample.log");
                        List<String> command = stack.equals("curl")
                                ? List.of("bash", "-c", "curl -sf " + (proto.equals("https") ? "--cacert \"$2\" " : "")
                                        + "-o /dev/null \"$1\" && times", "curl", url, registry.certificate().toString())
                                : List.of(java, "-cp", classpath, HttpStackBench.class.getName(), "child", stack,
                                        registry.host(), digest.toString(), Long.toString(d.size()), url,
                                        registry.certificate().toString(), proto);
                        double s = Proc.timed(log, command);
                        List<String> lines = Files.readAllLines(log);
                        String last = lines.get(lines.size() - 1).trim();
                        double c = stack.equals("curl") ? PushBench.childCpu(last)
                                : Double.parseDouble(last.substring("CPU ".length()));
                        wall.computeIfAbsent(key, x -> new ArrayList<>()).add(s);
                        cpu.computeIfAbsent(key, x -> new ArrayList<>()).add(c);
                    }
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Cold GET of a %d MiB blob with SHA-256 (curl: no hash), median of %d"
                + " fresh processes, %s %s; load average %s%n%n", mib, runs, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Proc.output(List.of("cat", "/proc/loadavg")).trim()));
        md.append("| stack | http wall | http CPU | https wall | https CPU |\n|---|---:|---:|---:|---:|\n");
        for (String stack : STACKS) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s | %.2f s |%n", stack,
                    PushBench.median(wall.get(stack + " http")), PushBench.median(cpu.get(stack + " http")),
                    PushBench.median(wall.get(stack + " https")), PushBench.median(cpu.get(stack + " https"))));
        }
        System.out.print(md);
        System.out.println("samples: wall " + wall + ", cpu " + cpu);
        Files.writeString(out.resolve("http-stack.md"), md);
    }

    /** One sample: GET and hash, print the digest and then {@code CPU <seconds>} as the last line. */
    private static void child(String[] a) throws Exception {
        String stack = a[1];
        String host = a[2];
        Digest digest = Digest.parse(a[3]);
        long size = Long.parseLong(a[4]);
        URI url = URI.create(a[5]);
        Path cert = Path.of(a[6]);
        boolean tls = a[7].equals("https");
        byte[] buffer = new byte[1 << 20];
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long n = 0;
        switch (stack) {
            case "berth" -> {
                HttpRegistryResolver.Builder b = HttpRegistryResolver.builder();
                if (tls) {
                    b.loopbackInsecure(false).sslContext(PushBench.trusting(cert));
                }
                Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, digest, size);
                // the fetcher verifies the digest itself; hashing again here would count it twice
                try (InputStream in = b.build().fetcher(Reference.parse(host + "/bench/blob:1")).fetch(d)) {
                    for (int r; (r = in.read(buffer)) >= 0; ) {
                        n += r;
                    }
                }
                sha = null;
            }
            case "jdk" -> {
                HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
                if (tls) {
                    b.sslContext(PushBench.trusting(cert));
                }
                HttpResponse<InputStream> r = b.build().send(HttpRequest.newBuilder(url).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    n = hash(in, sha, buffer);
                }
            }
            case "hc5" -> {
                SSLContext context = tls ? PushBench.trusting(cert) : SSLContext.getDefault();
                try (CloseableHttpClient client = HttpClients.custom()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(context)
                                        .buildClassic())
                                .build())
                        .build()) {
                    MessageDigest h = sha;
                    n = client.execute(new HttpGet(url), response -> {
                        try (InputStream in = response.getEntity().getContent()) {
                            return hash(in, h, buffer);
                        }
                    });
                }
            }
            default -> throw new IllegalArgumentException("unknown stack " + stack);
        }
        if (n != size) {
            throw new IllegalStateException("read " + n + " of " + size + " bytes");
        }
        if (sha != null && !HexFormat.of().formatHex(sha.digest()).equals(digest.hex())) {
            throw new IllegalStateException("digest mismatch");
        }
        long cpuNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.printf(Locale.ROOT, "CPU %.3f%n", cpuNanos / 1e9);
    }

    private static long hash(InputStream in, MessageDigest sha, byte[] buffer) throws IOException {
        long n = 0;
        for (int r; (r = in.read(buffer)) >= 0; ) {
            sha.update(buffer, 0, r);
            n += r;
        }
        return n;
    }
}
