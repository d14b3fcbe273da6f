package dev.berth.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How requests that fail transiently (I/O errors, 408, 429, 500, 502, 503, 504) are retried:
 * exponential backoff with full jitter between {@code initialBackoff} and {@code maxBackoff}, a
 * {@code Retry-After} header honoured up to {@code maxRetryAfter} (a longer one fails at once instead of
 * sleeping), at most {@code maxAttempts} attempts and never past {@code timeout} after the first one.
 *
 * @param maxAttempts    attempts per request, at least 1
 * @param initialBackoff the backoff before the second attempt
 * @param maxBackoff     the longest backoff
 * @param maxRetryAfter  the longest {@code Retry-After} honoured
 * @param timeout        the overall time bound for one request and its retries
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
                          Duration timeout) {
    /** 5 attempts, 200 ms doubling up to 5 s, Retry-After up to 60 s, 2 minutes in all. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofMinutes(2));

    /** Validates. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        for (Duration d : new Duration[] {
            Objects.requireNonNull(initialBackoff, "initialBackoff"), Objects.requireNonNull(maxBackoff, "maxBackoff"),
            Objects.requireNonNull(maxRetryAfter, "maxRetryAfter"), Objects.requireNonNull(timeout, "timeout")}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("retry durations must not be negative: " + d);
            }
        }
    }

    /** No retries at all. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(2));
    }

    /** A copy with another number of attempts. */
    public RetryPolicy withMaxAttempts(int value) {
        return new RetryPolicy(value, initialBackoff, maxBackoff, maxRetryAfter, timeout);
    }

    /** A copy with other backoff bounds. */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, maxRetryAfter, timeout);
    }

    /** A copy with another Retry-After cap. */
    public RetryPolicy withMaxRetryAfter(Duration value) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, value, timeout);
    }
}
