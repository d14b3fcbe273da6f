package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.remote.VerifyingInputStream;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import dev.berth.testkit.registry.RealRegistry;
import dev.berth.testkit.registry.RecordedRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked uploads: accepted by the real registry, sized by {@code OCI-Chunk-Min-Length}, and replaced by
 * one PUT on a fresh session when a registry refuses chunks; and the monolithic PUT's body, hashed once
 * per attempt.
 */
@Timeout(120)
class ChunkedUploadTest {
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    FakeRegistry registry;
    Reference ref;

    @BeforeEach
    void start() {
        registry = FakeRegistry.start();
        ref = Reference.parse(registry.host() + "/test/chunky:1");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Descriptor layer(byte[] blob) {
        return Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(blob), blob.length);
    }

    HttpRegistryResolver chunky(long threshold, int chunkSize) {
        return HttpRegistryResolver.builder().retry(FAST).chunkedUploads(threshold, chunkSize).build();
    }

    @Test
    void realRegistry_acceptsAChunkedPush_andServesTheBlobBack(@TempDir Path dir) throws Exception {
        RealRegistry.require();
        byte[] blob = random(5 << 20, 1);
        Descriptor d = layer(blob);
        try (RealRegistry real = RealRegistry.plain(dir)) {
            Reference target = Reference.parse(real.host() + "/test/chunked:1");
            HttpRegistryResolver resolver = HttpRegistryResolver.builder().chunkedUploads(1 << 20, 1 << 20).build();

            PushResult result = resolver.pusher(target).push(d, BlobSource.of(blob));

            assertThat(result.outcome()).isEqualTo(PushResult.Outcome.UPLOADED);
            // the registry's access log: five PATCHes of the session, each accepted (202)
            Matcher m = Pattern.compile("\"PATCH /v2/test/chunked/blobs/uploads/[^ ]* HTTP/1.1\" 202").matcher(real.log());
            int patches = 0;
            while (m.find()) {
                patches++;
            }
            assertThat(patches).isEqualTo(5);
            try (InputStream in = HttpRegistryResolver.builder().build().fetcher(target).fetch(d)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
        }
    }

    @Test
    void realRegistry_overTls_acceptsAChunkedPush(@TempDir Path dir) throws Exception {
        RealRegistry.require();
        byte[] blob = random(3 << 20, 2);
        Descriptor d = layer(blob);
        try (RealRegistry real = RealRegistry.tls(dir)) {
            Reference target = Reference.parse(real.host() + "/test/chunked:1");
            HttpRegistryResolver resolver = HttpRegistryResolver.builder().chunkedUploads(0, 1 << 20).build();

            assertThat(resolver.pusher(target).push(d, BlobSource.of(blob)).outcome())
                    .isEqualTo(PushResult.Outcome.UPLOADED);

            assertThat(real.log()).contains("\"PATCH /v2/test/chunked/blobs/uploads/");
            try (InputStream in = resolver.fetcher(target).fetch(d)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
        }
    }

    @Test
    void chunkMinLength_largerThanTheChunkSize_setsTheChunkSize() {
        registry.chunkMinLength(300_000);
        byte[] blob = random(700_000, 3);
        Descriptor d = layer(blob);

        chunky(10_000, 16_384).pusher(ref).push(d, BlobSource.of(blob));

        assertThat(registry.blob(d.digest())).hasValue(blob);
        assertThat(registry.requests("PATCH", ".*")).extracting(r -> r.header("Content-Range").orElseThrow())
                .containsExactly("0-299999", "300000-599999", "600000-699999");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 405, 416, 501})
    void firstChunkRefused_fallsBackToOnePutOnANewSession(int status) {
        registry.inject("PATCH", ".*", 1, Fault.status(status));
        byte[] blob = random(100_000, 4);
        Descriptor d = layer(blob);

        PushResult result = chunky(10_000, 20_000).pusher(ref).push(d, BlobSource.of(blob));

        assertThat(result.outcome()).isEqualTo(PushResult.Outcome.UPLOADED);
        assertThat(registry.blob(d.digest())).hasValue(blob);
        assertThat(registry.requests("PATCH", ".*")).hasSize(1);
        assertThat(registry.requests("POST", ".*")).as("a new session for the fallback").hasSize(2);
        assertThat(registry.requests("DELETE", ".*")).as("the refused session abandoned").hasSize(1);
        List<RecordedRequest> puts = registry.requests("PUT", ".*");
        assertThat(puts).hasSize(1);
        assertThat(puts.get(0).uri()).doesNotContain(registry.requests("DELETE", ".*").get(0).uri().replaceAll("\\?.*", ""));
    }

    @Test
    void chunkedSourceNotMatching_throwsDigestMismatch_andNeverCompletes() {
        byte[] blob = random(100_000, 6);
        Descriptor d = layer(blob);
        byte[] lie = blob.clone();
        lie[99_999] ^= 1;

        assertThatThrownBy(() -> chunky(10_000, 30_000).pusher(ref).push(d, BlobSource.of(lie)))
                .isInstanceOf(DigestMismatchException.class);
        assertThat(registry.blob(d.digest())).isEmpty();
        assertThat(registry.requests("PUT", ".*")).isEmpty();
    }

    @Test
    void monolithicPut_retried_hashesEachAttemptAfresh() {
        byte[] blob = random(200_000, 7);
        Descriptor d = layer(blob);
        registry.inject("PUT", ".*uploads.*", 1, Fault.status(503));

        PushResult result = HttpRegistryResolver.builder().retry(FAST).build().pusher(ref).push(d, BlobSource.of(blob));

        assertThat(result.outcome()).isEqualTo(PushResult.Outcome.UPLOADED);
        assertThat(registry.requests("PUT", ".*")).hasSize(2);
        assertThat(registry.blob(d.digest())).hasValue(blob);
    }

    @Test
    void sourceThatFailsItsOwnCheck_isReportedAsItself_andNotRetried() {
        byte[] blob = random(200_000, 8);
        Descriptor d = layer(blob);
        byte[] lie = blob.clone();
        lie[5] ^= 1;
        // a verifying source, like the store's verifiedStream: its last read throws
        BlobSource source = () -> VerifyingInputStream.of(new ByteArrayInputStream(lie), d);

        assertThatThrownBy(() -> HttpRegistryResolver.builder().retry(FAST).build().pusher(ref).push(d, source))
                .isInstanceOf(DigestMismatchException.class);
        assertThat(registry.requests("PUT", ".*")).hasSizeLessThanOrEqualTo(1);
        assertThat(registry.blob(d.digest())).isEmpty();
    }

    @Test
    void fileSource_chunked_readsEachByteOnce(@TempDir Path dir) throws Exception {
        byte[] blob = random(300_000, 9);
        Path file = Files.write(dir.resolve("blob"), blob);
        Descriptor d = layer(blob);
        int[] opens = new int[1];
        BlobSource counting = () -> {
            opens[0]++;
            return Files.newInputStream(file);
        };

        chunky(0, 50_000).pusher(ref).push(d, counting);

        assertThat(registry.blob(d.digest())).hasValue(blob);
        assertThat(registry.requests("PATCH", ".*")).hasSize(6);
        assertThat(opens[0]).as("one stream for all chunks").isEqualTo(1);
    }
}
