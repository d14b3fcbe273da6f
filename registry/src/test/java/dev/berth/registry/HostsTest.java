package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Reference;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HostsTest {
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .withMaxAttempts(2);

    @Nested
    class Mirrors {
        @Test
        void resolve_dockerHubReference_triesMirrorsInOrder() {
            try (FakeRegistry empty = FakeRegistry.start(); FakeRegistry full = FakeRegistry.start()) {
                TinyPlugin.putInto(full, "library/tiny", "1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().retry(FAST)
                        .addMirror(empty.uri()).addMirror(full.uri()).build();

                assertThat(resolver.resolve(Reference.parse("tiny:1.0"))).isEqualTo(TinyPlugin.MANIFEST_DESC);

                assertThat(empty.requests("HEAD", "/v2/library/tiny/manifests/1.0")).hasSize(1);
                assertThat(full.requests("HEAD", "/v2/library/tiny/manifests/1.0")).hasSize(1);
            }
        }

        @Test
        void fetch_firstMirrorUnavailable_fallsBackToTheNext() throws Exception {
            try (FakeRegistry broken = FakeRegistry.start(); FakeRegistry full = FakeRegistry.start()) {
                TinyPlugin.putInto(full, "library/tiny", "1.0");
                broken.inject("GET", ".*", 100, Fault.status(503));
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().retry(FAST)
                        .addMirror(broken.uri()).addMirror(full.uri()).build();

                try (InputStream in = resolver.fetcher(Reference.parse("tiny:1.0")).fetch(TinyPlugin.LAYER_DESC)) {
                    assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
                }
            }
        }
    }

    @Nested
    class Limits {
        @Test
        void fetch_concurrencyLimitOne_secondRequestWaitsForTheFirstStreamToClose() throws Exception {
            try (FakeRegistry registry = FakeRegistry.start()) {
                TinyPlugin.putInto(registry, "test/tiny", "1.0");
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().maxConcurrentRequests(1).build();
                resolver.resolve(ref); // settles the http endpoint

                InputStream first = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC);
                CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> {
                    try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.CONFIG_DESC)) {
                        return in.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });

                assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                first.close();
                assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(TinyPlugin.CONFIG);
            }
        }

        @Test
        void builder_userAgent_isSent() {
            try (FakeRegistry registry = FakeRegistry.start()) {
                TinyPlugin.putInto(registry, "test/tiny", "1.0");
                HttpRegistryResolver.builder().userAgent("my-tool/2 berth").build()
                        .resolve(Reference.parse(registry.host() + "/test/tiny:1.0"));

                assertThat(registry.requests().get(0).header("User-Agent")).hasValue("my-tool/2 berth");
            }
        }
    }
}
