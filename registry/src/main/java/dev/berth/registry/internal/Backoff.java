package dev.berth.registry.internal;

import dev.berth.registry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The retry budget of one request: a {@link RetryPolicy}'s attempts and its overall deadline, read on
 * the resolver's {@link Clock} rather than the system's, so that the one clock a user injects decides
 * token expiry, retry deadlines and {@code Retry-After} dates alike (and tests can fix or move it).
 *
 * <p>The deadline is fixed when the budget is made. Not thread-safe: one per request.
 */
final class Backoff {
    private final RetryPolicy policy;
    private final Clock clock;
    private final Instant deadline;

    /** A budget starting now, on {@code clock}. */
    Backoff(RetryPolicy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadline = clock.instant().plus(policy.timeout());
    }

    /**
     * Whether another attempt may follow attempt number {@code attempt} (counted from 1) after waiting
     * {@code delay}: attempts remain and the wait ends no later than the deadline.
     */
    boolean mayRetry(int attempt, Duration delay) {
        return attempt < policy.maxAttempts() && !clock.instant().plus(delay).isAfter(deadline);
    }

    /** The wait after failed attempt number {@code attempt}: exponential, capped, with full jitter. */
    Duration delay(int attempt) {
        return delay(policy, attempt);
    }

    /** The wait after failed attempt number {@code attempt} of {@code policy}. */
    static Duration delay(RetryPolicy policy, int attempt) {
        long base = policy.initialBackoff().toMillis();
        long cap = policy.maxBackoff().toMillis();
        long exp = base << Math.min(attempt - 1, 20);
        long bound = Math.max(0, Math.min(cap, exp));
        // full jitter: spreads retries of many clients so they don't hit the registry in step
        long millis = bound == 0 ? 0 : bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1);
        return Duration.ofMillis(millis);
    }
}
