package dev.berth.testkit.registry;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link FaultProxy} does to one matching exchange instead of relaying it faithfully. Byte counts
 * are of the response's payload (after the head, chunk framing removed): a chunked answer that a body
 * fault touches is sent on without framing, delimited by closing the connection, which HTTP/1.1 allows.
 * Create with the factory methods.
 */
public sealed interface ProxyFault {
    /**
     * Forward the request, send the response head and the first {@code bodyBytes} of the payload, then
     * reset the connection (TCP RST: linger 0). A negative count resets before any byte of the response,
     * after the registry has seen the whole request.
     */
    record Reset(long bodyBytes) implements ProxyFault {
    }

    /** Send the head and the first {@code bodyBytes} of the payload, then close the connection cleanly (FIN). */
    record Truncate(long bodyBytes) implements ProxyFault {
        /** Checks. */
        public Truncate {
            nonNegative(bodyBytes);
        }
    }

    /**
     * Send the head and the first {@code bodyBytes} of the payload, then nothing more until the client
     * closes the connection or the proxy stops.
     */
    record Stall(long bodyBytes) implements ProxyFault {
        /** Checks. */
        public Stall {
            nonNegative(bodyBytes);
        }
    }

    /** Send the whole response, the payload at no more than {@code bytesPerSecond}. */
    record Drip(long bytesPerSecond) implements ProxyFault {
        /** Checks. */
        public Drip {
            if (bytesPerSecond < 1) {
                throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
            }
        }
    }

    /**
     * Send the {@code length} payload bytes at {@code offset} twice; the payload keeps its declared length
     * (its tail is dropped), so the framing stays valid and only the content is wrong.
     */
    record Duplicate(long offset, int length) implements ProxyFault {
        /** Checks. */
        public Duplicate {
            nonNegative(offset);
            nonNegative(length);
        }
    }

    /** Swap the {@code length} payload bytes at {@code offset} with the {@code length} bytes after them. */
    record Reorder(long offset, int length) implements ProxyFault {
        /** Checks. */
        public Reorder {
            nonNegative(offset);
            nonNegative(length);
        }
    }

    /**
     * Answer with this status, headers and body without asking the registry (the request body is read
     * and dropped).
     */
    record Status(int status, Map<String, String> headers, String body) implements ProxyFault {
        /** Copies. */
        public Status {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * On a 206 answer, move both ends of {@code Content-Range} by {@code delta} bytes (the payload is
     * relayed unchanged); any other answer is relayed as it is.
     */
    record ShiftContentRange(long delta) implements ProxyFault {
    }

    /**
     * Run {@code action} (say, restart the registry) before the request is forwarded; then relay the
     * exchange faithfully. An exception from the action fails the exchange with a 502.
     */
    record BeforeForward(Action action) implements ProxyFault {
        /** Checks. */
        public BeforeForward {
            Objects.requireNonNull(action, "action");
        }
    }

    /** Something a test runs from the proxy's connection thread. */
    @FunctionalInterface
    interface Action {
        /** Runs. @throws Exception when it fails */
        void run() throws Exception;
    }

    /** A reset after {@code bodyBytes} of the payload. */
    static ProxyFault reset(long bodyBytes) {
        return new Reset(bodyBytes);
    }

    /** A status without a body. */
    static ProxyFault status(int status) {
        return new Status(status, Map.of(), "");
    }

    /** A status with {@code Retry-After: value}. */
    static ProxyFault retryAfter(int status, String value) {
        return new Status(status, Map.of("Retry-After", value), "");
    }

    private static void nonNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative: " + n);
        }
    }
}
