package dev.berth.benchmarks.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import java.nio.file.Files;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each benchmark's setup and body once, without JMH: they must work, not be fast. */
class BenchmarksSmokeTest {
    @Nested
    class Digests {
        @Test
        void sha256_chunkedUpdates_sameDigestAsOneShot() {
            DigestBenchmark b = new DigestBenchmark();
            b.chunk = 8192;
            b.setup();
            assertThat(b.sha256()).isEqualTo(Digest.sha256(b.data));
        }
    }

    @Nested
    class Gzip {
        @Test
        void inflate_textDeflatedAtLevel6_allBytesBackAndSmaller() throws Exception {
            GzipBenchmark b = new GzipBenchmark();
            b.content = "text";
            b.setup();
            assertThat(b.inflate()).isEqualTo(GzipBenchmark.SIZE);
            assertThat(b.gzipped.length).isLessThan(GzipBenchmark.SIZE);
        }
    }

    @Nested
    class TarApply {
        @Test
        void apply_smallFilesTar_everyEntryLandsInTheFreshRoot() throws Exception {
            TarApplyBenchmark b = new TarApplyBenchmark();
            b.setup();
            b.freshRoot();
            try {
                assertThat(b.apply().entries()).isEqualTo(TarApplyBenchmark.FILES + 20);
                assertThat(Files.size(b.root.resolve("small/d0/f0.txt"))).isBetween(100L, 5500L);
            } finally {
                b.removeRoot();
            }
            assertThat(b.root).doesNotExist();
        }
    }

    @Nested
    class Json {
        @Test
        void codecs_dockerFixtures_roundTripThroughEncode() {
            JsonBenchmark b = new JsonBenchmark();
            b.setup();
            assertThat(b.decodeConfig()).isEqualTo(b.decodedConfig);
            assertThat(b.decodeManifest()).isEqualTo(b.decodedManifest);
            assertThat(b.encodeManifest()).isEqualTo(b.manifest);
            assertThat(b.encodeConfigBlob()).isNotEmpty();
        }
    }

    @Nested
    class HttpBody {
        @Test
        void read_blobOverLoopback_bothClientsReadEveryByte() throws Exception {
            HttpBodyBenchmark b = new HttpBodyBenchmark();
            b.setup();
            try {
                assertThat(b.berthFetcher()).isEqualTo(HttpBodyBenchmark.SIZE);
                assertThat(b.jdkHttpClient()).isEqualTo(HttpBodyBenchmark.SIZE);
            } finally {
                b.tearDown();
            }
        }
    }
}
