package dev.berth.benchmarks.e2e;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.testkit.registry.RealRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One big blob pushed by Berth's registry client against {@code curl -T} to the same loopback
 * docker-registry, over plain http and https: what the push path costs above the wire. Each round uses
 * a fresh repository so the registry never answers "already there". Berth's pushes run in this JVM after
 * untimed warm-up pushes (one by default; on a busy machine the JIT needs more before TLS runs
 * compiled); curl's time includes its POST for the upload location (two processes), Berth's its HEAD
 * and POST. Prints the median of the rounds and every round, as wall time and as the CPU time of the
 * client (Berth's whole JVM, GC and JIT included; curl's two processes): on a loaded machine the wall
 * time says more about the neighbours than about the client, the CPU time does not.
 *
 * <p>Usage: {@code PushBench [--mib 100] [--runs 3] [--warmup 1] [--chunked MiB] [--out DIR]}. Needs
 * docker-registry, openssl and curl.
 */
public final class PushBench {
    private PushBench() {
    }

    /** Runs the benchmark; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        int mib = 100;
        int runs = 3;
        int chunkMib = 0;
        int warmups = 1;
        Path out = Path.of("benchmarks/target/push-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--chunked" -> chunkMib = Integer.parseInt(args[++i]);
                case "--warmup" -> warmups = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(out);
        Path work = Files.createTempDirectory(out, "run-");
        Path blob = work.resolve("blob.bin");
        Digest digest = writeRandom(blob, (long) mib << 20);
        Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, digest, Files.size(blob));
        System.out.printf(Locale.ROOT, "blob: %d MiB, %s%n", mib, digest);
        for (String proto : List.of("http", "https")) {
            Path dir = work.resolve(proto);
            try (RealRegistry registry = proto.equals("https") ? RealRegistry.tls(dir) : RealRegistry.plain(dir)) {
                HttpRegistryResolver.Builder b = HttpRegistryResolver.builder();
                if (proto.equals("https")) {
                    b.loopbackInsecure(false).sslContext(trusting(registry.certificate()));
                }
                if (chunkMib > 0) {
                    b.chunkedUploadThreshold(0).chunkSize(chunkMib << 20);
                }
                HttpRegistryResolver resolver = b.build();
                for (int w = 0; w < warmups; w++) {
                    push(resolver, registry, "warmup/" + proto + w, d, blob, new ArrayList<>());
                }
                List<Double> berth = new ArrayList<>();
                List<Double> curl = new ArrayList<>();
                List<Double> berthCpu = new ArrayList<>();
                List<Double> curlCpu = new ArrayList<>();
                for (int round = 0; round < runs; round++) {
                    // alternate who goes first so neither always meets a warmer page cache or registry
                    if (round % 2 == 0) {
                        berth.add(push(resolver, registry, "berth/" + proto + round, d, blob, berthCpu));
                        curl.add(curl(registry, proto, "curl/" + proto + round, digest, blob, work, curlCpu));
                    } else {
                        curl.add(curl(registry, proto, "curl/" + proto + round, digest, blob, work, curlCpu));
                        berth.add(push(resolver, registry, "berth/" + proto + round, d, blob, berthCpu));
                    }
                }
                double bm = median(berth);
                double cm = median(curl);
                System.out.printf(Locale.ROOT, "%-5s wall: berth %.3f s  curl -T %.3f s  ratio %.2f   (berth %s, curl %s)%n",
                        proto, bm, cm, bm / cm, berth, curl);
                System.out.printf(Locale.ROOT, "%-5s cpu:  berth %.3f s  curl -T %.3f s  ratio %.2f   (berth %s, curl %s)%n",
                        proto, median(berthCpu), median(curlCpu), median(berthCpu) / median(curlCpu), berthCpu, curlCpu);
            }
        }
    }

    private static double push(HttpRegistryResolver resolver, RealRegistry registry, String repo, Descriptor d,
                               Path blob, List<Double> cpu) {
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        PushResult r = resolver.pusher(Reference.parse(registry.host() + "/" + repo + ":1")).push(d, BlobSource.of(blob));
        double s = (System.nanoTime() - t0) / 1e9;
        cpu.add(Math.round((processCpuNanos() - c0) / 1e6) / 1000.0);
        if (r.outcome() != PushResult.Outcome.UPLOADED) {
            throw new IllegalStateException(repo + ": " + r.outcome());
        }
        return Math.round(s * 1000) / 1000.0;
    }

    private static double curl(RealRegistry registry, String proto, String repo, Digest digest, Path blob, Path work,
                               List<Double> cpu) throws IOException {
        String k = proto.equals("https") ? "--cacert \"$5\"" : "";
        String script = "loc=$(curl -sf " + k + " -X POST -o /dev/null -D - \"$1/v2/$2/blobs/uploads/\""
                + " | tr -d '\\r' | awk 'tolower($1)==\"location:\"{print $2}')"
                + " && case \"$loc\" in http*) ;; *) loc=\"$1$loc\";; esac"
                + " && curl -sf " + k + " -o /dev/null -T \"$3\" -H 'Content-Type: application/octet-stream'"
                + " \"$loc&digest=$4\"";
        // bash's times prints the CPU its children used: user and system, after the shell's own line
        Path log = work.resolve("curl.log");
        double s = Proc.timed(log, List.of("bash", "-o", "pipefail", "-c", script + " && times", "curl",
                registry.uri().toString(), repo, blob.toString(), digest.toString(),
                registry.certificate().toString()));
        List<String> lines = Files.readAllLines(log);
        cpu.add(childCpu(lines.get(lines.size() - 1)));
        return Math.round(s * 1000) / 1000.0;
    }

    /** The user plus system CPU seconds of a shell's children: the last line bash's {@code times} prints. */
    static double childCpu(String timesLine) {
        String[] children = timesLine.trim().split("\\s+");
        return Math.round((seconds(children[0]) + seconds(children[1])) * 1000) / 1000.0;
    }

    /** "1m2.500s" in seconds. */
    private static double seconds(String bashTime) {
        int m = bashTime.indexOf('m');
        return Integer.parseInt(bashTime.substring(0, m)) * 60
                + Double.parseDouble(bashTime.substring(m + 1, bashTime.length() - 1));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Digest writeRandom(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(13);
        Digester digester = Digester.sha256();
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = digester.wrap(Files.newOutputStream(file))) {
            for (long done = 0; done < size; done += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        buf[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
        return digester.digest();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("registry", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
