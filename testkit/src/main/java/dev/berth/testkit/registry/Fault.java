package dev.berth.testkit.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * A scripted misbehaviour of {@link FakeRegistry}, applied to a matching request instead of (or while)
 * serving it. Create with the factory methods.
 */
public sealed interface Fault {
    /** Answer with a status (and headers) and an empty or short body. */
    record Status(int status, Map<String, String> headers, String body) implements Fault {
        /** Copies. */
        public Status {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /** Serve the right headers (full Content-Length) but only the first {@code bytes} of the body, then drop the connection. */
    record Truncate(long bytes) implements Fault {
    }

    /** Serve the body with one byte flipped at {@code offset} (same length). */
    record Corrupt(long offset) implements Fault {
    }

    /** Serve the content with another {@code Docker-Content-Digest} header. */
    record WrongDigestHeader(String digest) implements Fault {
    }

    /** Answer a redirect to {@code location} with the given status. */
    record Redirect(int status, String location) implements Fault {
    }

    /** Wait before sending anything (headers included). */
    record Delay(Duration delay) implements Fault {
    }

    /** Send the headers, then trickle the body at {@code bytesPerSecond}. */
    record Slow(long bytesPerSecond) implements Fault {
    }

    /** Send nothing at all, not even headers, until the server stops. */
    record Hang() implements Fault {
    }

    /** Send the headers and the first {@code bytes} of the body, then nothing more until the server stops. */
    record Stall(long bytes) implements Fault {
    }

    /**
     * Send the headers and the first {@code bytes} of the body, wait until {@code release} is counted down (at
     * most a minute), then close the connection. A test that reads those bytes before releasing knows the
     * client holds them when the cut comes, whatever its HTTP stack's timing.
     */
    record CutWhenReleased(long bytes, CountDownLatch release) implements Fault {
        /** Checks. */
        public CutWhenReleased {
            Objects.requireNonNull(release, "release");
        }
    }

    /** Ignore a {@code Range} header and send the whole body with 200. */
    record IgnoreRange() implements Fault {
    }

    /** Answer a {@code Range} request with a 206 whose Content-Range starts at 0. */
    record WrongRangeStart() implements Fault {
    }

    /** Send a chunked body that never ends (until {@code maxBytes}). */
    record Endless(long maxBytes) implements Fault {
    }

    /** A status. */
    static Fault status(int status) {
        return new Status(status, Map.of(), "");
    }

    /** 429 with a Retry-After value. */
    static Fault retryAfter(int status, String value) {
        return new Status(status, Map.of("Retry-After", value), "");
    }

    /** Close the connection after {@code bytes} of the body (the client sees the body cut short). */
    static Fault resetAt(long bytes) {
        return new Truncate(bytes);
    }

    /** A 307 to {@code location}. */
    static Fault redirect(URI location) {
        return new Redirect(307, location.toString());
    }

    /** A redirect with a raw Location value. */
    static Fault redirect(int status, String location) {
        return new Redirect(status, location);
    }
}
