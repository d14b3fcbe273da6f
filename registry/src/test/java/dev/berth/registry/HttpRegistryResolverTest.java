package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PlatformNotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import dev.berth.testkit.registry.RecordedRequest;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HttpRegistryResolverTest {
    FakeRegistry registry;
    HttpRegistryResolver resolver;
    Reference ref;

    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    /** The resolver under test; a subclass runs every case again with the JDK client for plain http. */
    HttpRegistryResolver.Builder newBuilder() {
        return HttpRegistryResolver.builder();
    }

    @BeforeEach
    void start() {
        registry = FakeRegistry.start();
        resolver = newBuilder().retry(FAST).build();
        ref = Reference.parse(registry.host() + "/test/tiny:1.0");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** {@code at} as an IMF-fixdate, the preferred HTTP-date form. */
    static String httpDate(Instant at) {
        return DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .format(at.atZone(ZoneOffset.UTC));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void throughAnHttpProxy_plainHttpRequestsGoInAbsoluteForm() throws Exception {
        byte[] blob = random(300_000, 5);
        Descriptor d = Descriptor.of(MediaTypes.OCTET_STREAM, Digest.sha256(blob), blob.length);
        java.net.ProxySelector before = java.net.ProxySelector.getDefault();
        try (ForwardProxy proxy = new ForwardProxy()) {
            java.net.ProxySelector.setDefault(proxy.selector());

            resolver.pusher(ref).push(d, BlobSource.of(blob));
            try (java.io.InputStream in = resolver.fetcher(ref).fetch(d)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }

            // the https probe of the loopback registry tunnels (CONNECT); everything over http is absolute
            assertThat(proxy.requestLines()).filteredOn(l -> !l.startsWith("CONNECT ")).isNotEmpty()
                    .allSatisfy(l -> assertThat(l).matches("[A-Z]+ http://" + java.util.regex.Pattern.quote(registry.host()) + "/v2/.* HTTP/1.1"));
            assertThat(proxy.requestLines()).anyMatch(l -> l.startsWith("PUT ")).anyMatch(l -> l.startsWith("GET "));
        } finally {
            java.net.ProxySelector.setDefault(before);
        }
    }

    @Nested
    class Resolve {
        @Test
        void resolve_pluginByTag_returnsManifestDescriptorWithDockerAccept() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");

            Descriptor d = resolver.resolve(ref);

            assertThat(d).isEqualTo(TinyPlugin.MANIFEST_DESC);
            RecordedRequest first = registry.requests("HEAD", "/v2/test/tiny/manifests/1.0").get(0);
            assertThat(first.header("Accept")).hasValueSatisfying(a -> assertThat(a)
                    .startsWith(MediaTypes.DOCKER_MANIFEST_V2 + ", " + MediaTypes.DOCKER_MANIFEST_LIST_V2));
            assertThat(first.header("User-Agent")).hasValueSatisfying(ua -> assertThat(ua).startsWith("berth/"));
        }

        @Test
        void resolve_headWithoutDigest_fallsBackToGetAndHashesTheBody() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("HEAD", "/v2/test/tiny/manifests/1.0", 1, Fault.status(405));

            assertThat(resolver.resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
            assertThat(registry.requests("GET", "/v2/test/tiny/manifests/1.0")).hasSize(1);
        }

        @Test
        void resolve_getRefused400_retriesWithFourSeparateAcceptLines() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("HEAD", "/v2/test/tiny/manifests/1.0", 1, Fault.status(405));
            registry.inject("GET", "/v2/test/tiny/manifests/1.0", 1, Fault.status(400));

            assertThat(resolver.resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);

            List<RecordedRequest> gets = registry.requests("GET", "/v2/test/tiny/manifests/1.0");
            assertThat(gets).hasSize(2);
            assertThat(gets.get(1).headers().get("accept")).containsExactlyElementsOf(HttpRegistryResolver.MANIFEST_ACCEPT);
        }

        @Test
        void resolve_missingTag_throwsNotFound() {
            assertThatThrownBy(() -> resolver.resolve(ref)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void resolve_byDigestWithOtherBytes_throwsDigestMismatch() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            Digest other = Digest.sha256("other");
            registry.putManifest("test/tiny", null, MediaTypes.DOCKER_MANIFEST_V2, TinyPlugin.MANIFEST);
            // serve the tiny manifest's bytes under another digest: HEAD lacks the digest so GET decides
            registry.inject("HEAD", "/v2/test/tiny/manifests/.*", 1, Fault.status(405));
            registry.inject("GET", "/v2/test/tiny/manifests/.*", 1,
                    new Fault.Redirect(307, "/v2/test/tiny/manifests/1.0"));

            assertThatThrownBy(() -> resolver.resolve(ref.withoutTag().withDigest(other)))
                    .isInstanceOf(DigestMismatchException.class);
        }

        @Test
        void resolve_index_selectsTheConfiguredPlatform() {
            TinyPlugin.putInto(registry, "test/tiny", null);
            Descriptor arm = TinyPlugin.MANIFEST_DESC.withPlatform(Platform.of("linux", "arm64", "v8"));
            Descriptor other = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256("x"), 1)
                    .withPlatform(Platform.of("linux", "amd64"));
            byte[] index = OciJson.encodeIndex(new ImageIndex(2, Optional.of(MediaTypes.OCI_INDEX),
                    List.of(other, arm), Map.of()));
            registry.putManifest("test/tiny", "1.0", MediaTypes.OCI_INDEX, index);
            HttpRegistryResolver armResolver = newBuilder()
                    .platform(Platform.of("linux", "arm64", "v8")).build();

            assertThat(armResolver.resolve(ref)).isEqualTo(arm);
            assertThat(armResolver.resolve(ref, Platform.of("linux", "amd64"))).isEqualTo(other);
            assertThatThrownBy(() -> newBuilder().platform(Platform.of("linux", "s390x")).build()
                    .resolve(ref)).isInstanceOfSatisfying(PlatformNotFoundException.class, e -> {
                        assertThat(e.requested()).isEqualTo(Platform.of("linux", "s390x"));
                        assertThat(e.available()).containsExactly(Platform.of("linux", "amd64"),
                                Platform.of("linux", "arm64", "v8"));
                        assertThat(e).hasMessageContaining("available: linux/amd64, linux/arm64/v8");
                    });
        }

        @Test
        void resolve_indexesNestedTooDeep_throwsLimit() {
            Platform here = Platform.of("linux", "amd64");
            Descriptor inner = TinyPlugin.MANIFEST_DESC.withPlatform(here);
            TinyPlugin.putInto(registry, "test/tiny", null);
            for (int i = 0; i < 6; i++) {
                byte[] index = OciJson.encodeIndex(new ImageIndex(2, Optional.of(MediaTypes.OCI_INDEX), List.of(inner),
                        Map.of()));
                Digest d = registry.putManifest("test/tiny", i == 5 ? "1.0" : null, MediaTypes.OCI_INDEX, index);
                inner = Descriptor.of(MediaTypes.OCI_INDEX, d, index.length).withPlatform(here);
            }

            assertThatThrownBy(() -> newBuilder().platform(here).build().resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
        }

        @Test
        void resolve_indexInsideIndex_selectsThroughBoth() {
            Platform here = Platform.of("linux", "amd64");
            TinyPlugin.putInto(registry, "test/tiny", null);
            byte[] inner = OciJson.encodeIndex(new ImageIndex(2, Optional.of(MediaTypes.OCI_INDEX),
                    List.of(TinyPlugin.MANIFEST_DESC.withPlatform(here)), Map.of()));
            Digest innerDigest = registry.putManifest("test/tiny", null, MediaTypes.OCI_INDEX, inner);
            byte[] outer = OciJson.encodeIndex(new ImageIndex(2, Optional.of(MediaTypes.OCI_INDEX),
                    List.of(Descriptor.of(MediaTypes.OCI_INDEX, innerDigest, inner.length).withPlatform(here)), Map.of()));
            registry.putManifest("test/tiny", "1.0", MediaTypes.OCI_INDEX, outer);

            assertThat(newBuilder().platform(here).build().resolve(ref))
                    .isEqualTo(TinyPlugin.MANIFEST_DESC.withPlatform(here));
        }

        @Test
        void resolve_schema1_throwsManifest() {
            registry.putManifest("test/tiny", "1.0", MediaTypes.DOCKER_MANIFEST_V1_SIGNED, "{}".getBytes());

            assertThatThrownBy(() -> resolver.resolve(ref)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.MANIFEST));
        }

        @Test
        void resolve_endlessManifest_throwsLimitAfterTheCap() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("HEAD", "/v2/test/tiny/manifests/1.0", 1, Fault.status(405));
            registry.inject("GET", "/v2/test/tiny/manifests/1.0", 1, new Fault.Endless(64L << 20));

            assertThatThrownBy(() -> resolver.resolve(ref)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT));
        }
    }

    @Nested
    class Fetch {
        @Test
        void fetch_layer_streamsVerifiedBytes() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");

            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
        }

        @Test
        void fetch_manifest_usesManifestEndpointAndVerifies() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");

            byte[] bytes = resolver.fetcher(ref).fetchBytes(TinyPlugin.MANIFEST_DESC, OciJson.MAX_MANIFEST_BYTES);

            assertThat(bytes).isEqualTo(TinyPlugin.MANIFEST);
        }

        @Test
        void fetch_connectionResetMidBody_resumesWithRange() throws Exception {
            byte[] blob = random(300_000, 1);
            Digest d = registry.putBlob("test/tiny", blob);
            // the cut comes only once the reader holds the first 100,000 bytes: a plain cut races the client's
            // delivery (the JDK's may report the close before handing over what it buffered), and a resume
            // from byte 0 would carry no Range
            CountDownLatch release = new CountDownLatch(1);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.CutWhenReleased(100_000, release));

            try (InputStream in = resolver.fetcher(ref).fetch(Descriptor.of("application/octet-stream", d, blob.length))) {
                byte[] head = in.readNBytes(100_000);
                release.countDown();
                byte[] rest = in.readAllBytes();
                assertThat(head).isEqualTo(Arrays.copyOf(blob, 100_000));
                assertThat(rest).isEqualTo(Arrays.copyOfRange(blob, 100_000, blob.length));
            }
            List<RecordedRequest> gets = registry.requests("GET", "/v2/test/tiny/blobs/.*");
            assertThat(gets).hasSize(2);
            assertThat(gets.get(1).header("Range")).hasValueSatisfying(r -> assertThat(r).matches("bytes=\\d+-"));
            assertThat(gets.get(1).header("Range")).contains("bytes=100000-");
        }

        @Test
        void fetch_resumeAnswered200_skipsWhatItHas() throws Exception {
            byte[] blob = random(300_000, 2);
            Digest d = registry.putBlob("test/tiny", blob);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.resetAt(100_000));
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.IgnoreRange());

            try (InputStream in = resolver.fetcher(ref).fetch(Descriptor.of("application/octet-stream", d, blob.length))) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
        }

        @Test
        void fetch_resumeWithWrongContentRange_throwsProtocol() {
            byte[] blob = random(300_000, 3);
            Digest d = registry.putBlob("test/tiny", blob);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.WrongRangeStart());
            // resume from a known offset: after a reset, how many bytes the client saw before the error is
            // the HTTP client's timing (the JDK's may report the close before delivering any), and a resume
            // from byte 0 carries no Range at all
            Digester resume = Digester.sha256();
            resume.update(blob, 0, 100_000);

            assertThatThrownBy(() -> {
                try (InputStream in = resolver.fetcher(ref).fetch(Descriptor.of("application/octet-stream", d, blob.length),
                        resume)) {
                    in.readAllBytes();
                }
            }).isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL));
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/" + d)).singleElement()
                    .satisfies(r -> assertThat(r.header("Range")).hasValue("bytes=100000-"));
        }

        @Test
        void fetch_resetEveryTime_givesUpAfterBoundedResumes() {
            byte[] blob = random(100_000, 4);
            Digest d = registry.putBlob("test/tiny", blob);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 100, Fault.resetAt(0));

            assertThatThrownBy(() -> {
                try (InputStream in = resolver.fetcher(ref).fetch(Descriptor.of("application/octet-stream", d, blob.length))) {
                    in.readAllBytes();
                }
            }).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAVAILABLE));
            // bounded: the opening request's retries plus at most three resumes without progress
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSizeLessThanOrEqualTo(FAST.maxAttempts() + 3);
        }

        @Test
        void fetch_fromOffset_sendsRangeAndVerifiesTheWhole() throws Exception {
            byte[] blob = random(50_000, 5);
            Digest d = registry.putBlob("test/tiny", blob);
            Digester prefix = Digester.sha256();
            prefix.update(blob, 0, 20_000);

            try (InputStream in = resolver.fetcher(ref).fetch(Descriptor.of("application/octet-stream", d, blob.length), prefix)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(blob, 20_000, blob.length));
            }
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*").get(0).header("Range")).contains("bytes=20000-");
        }

        @Test
        void fetch_corruptedByte_throwsDigestMismatch() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.Corrupt(100));

            assertThatThrownBy(() -> {
                try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(DigestMismatchException.class);
        }

        @Test
        void fetch_wrongDigestHeader_isIgnoredForTheBodyHash() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.WrongDigestHeader(Digest.sha256("x").toString()));

            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
        }

        @Test
        void fetch_endlessBody_throwsSizeAfterTheDescriptorSize() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.Endless(64L << 20));

            assertThatThrownBy(() -> {
                try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    in.readAllBytes();
                }
            }).isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SIZE));
        }

        @Test
        void fetch_missingBlob_throwsNotFoundWithoutRetry() {
            assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOf(NotFoundException.class);
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(1);
        }

        @Test
        void fetch_bodyStalledOnce_resumesAfterTheIdleTimeout() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, new Fault.Stall(100));
            HttpRegistryResolver impatient = newBuilder().retry(FAST)
                    .idleTimeout(Duration.ofMillis(300)).build();

            try (InputStream in = impatient.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*").get(1).header("Range")).hasValue("bytes=100-");
        }

        @Test
        void fetch_bodyStalledEveryTime_failsAfterBoundedIdleTimeouts() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 10, new Fault.Stall(0));
            HttpRegistryResolver impatient = newBuilder().retry(FAST.withMaxAttempts(1))
                    .idleTimeout(Duration.ofMillis(300)).build();
            long start = System.nanoTime();

            assertThatThrownBy(() -> {
                try (InputStream in = impatient.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    in.readAllBytes();
                }
            }).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }

        @Test
        void fetch_hungBeforeHeaders_failsAfterTheHeaderTimeout() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 10, new Fault.Hang());
            HttpRegistryResolver impatient = newBuilder().retry(FAST.withMaxAttempts(1))
                    .idleTimeout(Duration.ofMillis(300)).headerTimeout(Duration.ofMillis(500)).build();
            long start = System.nanoTime();

            assertThatThrownBy(() -> {
                try (InputStream in = impatient.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    in.readAllBytes();
                }
            }).isInstanceOfAny(java.io.IOException.class, RegistryException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Nested
    class Retries {
        @Test
        void send_503ThenSuccess_retriesOnce() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.status(503));

            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(2);
        }

        @Test
        void send_503Forever_throwsUnavailableAfterMaxAttempts() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 100, Fault.status(503));

            assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(FAST.maxAttempts());
        }

        @Test
        void send_429WithRetryAfter_waitsThatLong() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.retryAfter(429, "1"));
            long start = System.nanoTime();

            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(950)).isLessThan(Duration.ofSeconds(5));
        }

        @Test
        void send_429WithHugeRetryAfter_failsFastInsteadOfSleeping() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.retryAfter(429, "86400"));
            long start = System.nanoTime();

            assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }

        @Test
        void send_503WithRetryAfterHttpDate_waitsUntilThatDate() throws Exception {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            // an HTTP date has whole seconds: 3 s ahead, cut to the second, is more than 2 s away
            Instant until = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.retryAfter(503, httpDate(until)));
            long start = System.nanoTime();

            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }

            // FAST backs off for milliseconds: only the date can account for this wait
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            assertThat(Instant.now()).isAfterOrEqualTo(until.minusMillis(50));
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(2);
        }

        @Test
        void send_429WithRetryAfterHttpDateBeyondMaxRetryAfter_failsAtOnceSayingSo() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1,
                    Fault.retryAfter(429, httpDate(Instant.now().plus(Duration.ofHours(1)))));

            assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("status 429", "Retry-After",
                                "more than the " + FAST.maxRetryAfter().toSeconds() + " s");
                    });
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).as("not retried").hasSize(1);
        }

        @Test
        void send_retryAfterHttpDate_isReadOnTheInjectedClock() {
            // an hour after the fixed clock but decades before the system's: only the injected clock
            // makes it a wait longer than maxRetryAfter, refused at once; the system clock would retry
            Instant fixed = Instant.parse("2001-02-03T04:05:06Z");
            HttpRegistryResolver fixedClock = newBuilder().retry(FAST)
                    .clock(Clock.fixed(fixed, ZoneOffset.UTC)).build();
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1,
                    Fault.retryAfter(429, httpDate(fixed.plus(Duration.ofHours(1)))));

            assertThatThrownBy(() -> fixedClock.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.getMessage())
                            .contains("Retry-After 3600 s", "more than the " + FAST.maxRetryAfter().toSeconds() + " s"));
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).as("not retried").hasSize(1);
        }

        @Test
        void send_deadlinePassedOnTheInjectedClock_returnsTheFailureWithoutRetrying() throws Exception {
            // each reading of this clock is an hour later: the policy's 2-minute deadline has passed by the
            // time the first 503 is weighed, though no real time has
            Clock racing = new Clock() {
                private final java.util.concurrent.atomic.AtomicLong hours = new java.util.concurrent.atomic.AtomicLong();

                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.parse("2001-02-03T04:05:06Z").plus(Duration.ofHours(hours.getAndIncrement()));
                }
            };
            HttpRegistryResolver late = newBuilder().retry(FAST).clock(racing).build();
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 100, Fault.status(503));

            assertThatThrownBy(() -> late.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOf(RegistryException.class);
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).as("not retried").hasSize(1);
        }

        @Test
        void send_400_isNotRetried() {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.status(400));

            assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOf(RegistryException.class);
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(1);
        }
    }

    @Nested
    class Push {
        @Test
        void push_plugin_storesByteExactManifestUnderTheTag() {
            TinyPlugin.push(resolver.pusher(ref));

            assertThat(registry.manifest("test/tiny", "1.0")).hasValue(TinyPlugin.MANIFEST);
            assertThat(registry.manifestMediaType("test/tiny", "1.0")).hasValue(MediaTypes.DOCKER_MANIFEST_V2);
            assertThat(registry.blob(TinyPlugin.LAYER_DESC.digest())).hasValue(TinyPlugin.LAYER);
            RecordedRequest put = registry.requests("PUT", "/v2/test/tiny/blobs/uploads/.*").get(0);
            assertThat(put.header("Content-Length")).hasValue(Long.toString(TinyPlugin.LAYER.length));
        }

        @Test
        void push_existingBlob_skipsTheUpload() {
            registry.putBlob("test/tiny", TinyPlugin.LAYER);

            PushResult r = resolver.pusher(ref).push(TinyPlugin.LAYER_DESC, BlobSource.of(TinyPlugin.LAYER));

            assertThat(r.outcome()).isEqualTo(PushResult.Outcome.ALREADY_EXISTS);
            assertThat(registry.requests("POST", ".*")).isEmpty();
        }

        @Test
        void push_blobFromAnotherRepository_isMounted() {
            registry.putBlob("other/repo", TinyPlugin.LAYER);
            Reference from = Reference.parse(registry.host() + "/other/repo:1");

            PushResult r = resolver.pusher(ref).push(TinyPlugin.LAYER_DESC,
                    BlobSource.of(TinyPlugin.LAYER).withMountFrom(from));

            assertThat(r.outcome()).isEqualTo(PushResult.Outcome.MOUNTED);
            assertThat(registry.hasBlob("test/tiny", TinyPlugin.LAYER_DESC.digest())).isTrue();
            assertThat(registry.requests("PUT", ".*")).isEmpty();
        }

        @Test
        void push_aboveChunkThreshold_uploadsInChunksOfAtLeastTheMinimum() {
            registry.chunkMinLength(40_000);
            byte[] blob = random(100_000, 6);
            Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(blob), blob.length);
            HttpRegistryResolver chunky = newBuilder().chunkedUploadThreshold(10_000)
                    .chunkSize(16_384).build();

            chunky.pusher(ref).push(d, BlobSource.of(blob));

            assertThat(registry.blob(d.digest())).hasValue(blob);
            List<RecordedRequest> patches = registry.requests("PATCH", ".*");
            assertThat(patches).hasSize(3);
            assertThat(patches.get(0).header("Content-Range")).hasValue("0-39999");
        }

        @Test
        void push_chunkAnswered416_recoversFromTheRegistrysOffset() {
            byte[] blob = random(50_000, 7);
            Descriptor d = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(blob), blob.length);
            registry.inject("PATCH", ".*", 1, Fault.status(416));
            HttpRegistryResolver chunky = newBuilder().chunkedUploadThreshold(10_000)
                    .chunkSize(20_000).build();

            chunky.pusher(ref).push(d, BlobSource.of(blob));

            assertThat(registry.blob(d.digest())).hasValue(blob);
        }

        @Test
        void push_sourceNotMatchingDescriptor_throwsDigestMismatch() {
            byte[] lie = TinyPlugin.LAYER.clone();
            lie[10] ^= 1;

            assertThatThrownBy(() -> resolver.pusher(ref).push(TinyPlugin.MANIFEST_DESC, BlobSource.of(lie)))
                    .isInstanceOfAny(DigestMismatchException.class, RegistryException.class);
            assertThat(registry.manifest("test/tiny", "1.0")).isEmpty();
        }

        @Test
        void pushThenFetch_roundTripsTheConfig() throws Exception {
            TinyPlugin.push(resolver.pusher(ref));
            Fetcher f = resolver.fetcher(ref);

            Descriptor m = resolver.resolve(ref);

            assertThat(m).isEqualTo(TinyPlugin.MANIFEST_DESC);
            assertThat(f.fetchBytes(TinyPlugin.CONFIG_DESC, OciJson.MAX_CONFIG_BYTES)).isEqualTo(TinyPlugin.CONFIG);
        }
    }
}
