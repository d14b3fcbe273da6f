package dev.berth.benchmarks.jmh;

import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Manifest;
import dev.berth.plugin.PluginConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Docker-exact JSON codecs on the real registry fixtures (a dockerd-pushed plugin config and
 * manifest). Uses the internal module's qualified export to {@code dev.berth.benchmarks}: there is no
 * public API for the codec. Score: µs per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonBenchmark {
    byte[] config;
    byte[] manifest;
    PluginConfig decodedConfig;
    Manifest decodedManifest;

    static byte[] resource(String name) {
        try (InputStream in = JsonBenchmark.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Setup
    public void setup() {
        config = resource("registry-plugin-config.json");
        manifest = resource("registry-plugin-manifest.docker-v2.json");
        decodedConfig = PluginJson.decodeConfig(config);
        decodedManifest = OciJson.decodeManifest(manifest, "application/vnd.docker.distribution.manifest.v2+json");
    }

    @Benchmark
    public PluginConfig decodeConfig() {
        return PluginJson.decodeConfig(config);
    }

    @Benchmark
    public byte[] encodeConfigBlob() {
        return PluginJson.encodeConfigBlob(decodedConfig);
    }

    @Benchmark
    public Manifest decodeManifest() {
        return OciJson.decodeManifest(manifest, "application/vnd.docker.distribution.manifest.v2+json");
    }

    @Benchmark
    public byte[] encodeManifest() {
        return OciJson.encodeManifest(decodedManifest);
    }
}
