package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fuzzes the registry's parsing of response headers: {@code WWW-Authenticate} and {@code Retry-After}
 * never throw and give only sane values. (The HTTP/1.1 response reader itself is fuzzed by the internal
 * module's {@code Http1ResponseFuzzTest}.) Without {@code JAZZER_FUZZ} JUnit runs each method once per seed
 * in {@code src/test/resources/dev/berth/registry/internal/HttpResponseFuzzTestInputs/<method>/}.
 */
class HttpResponseFuzzTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    @FuzzTest(maxDuration = "60s")
    void parseChallenge(byte[] header) {
        String value = new String(header, StandardCharsets.ISO_8859_1);
        List<Challenge> challenges = Challenge.parseAll(List.of(value));
        for (Challenge c : challenges) {
            assertThat(c.scheme()).isNotEmpty();
            assertThat(c.parameters()).doesNotContainKey("");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void parseRetryAfter(byte[] header) {
        String value = new String(header, StandardCharsets.ISO_8859_1);
        Optional<Duration> delay = RetryAfter.parse(value, NOW);
        delay.ifPresent(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO));
    }
}
