package dev.berth.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How the supervisor restarts a plugin that exits on its own: after {@code initialDelay}, doubling up
 * to {@code maxDelay}, at most {@code maxRestarts} times in a row; then it gives up and reports it.
 * A plugin that ran for {@code stableAfter} before exiting starts a fresh series. (Docker restarts
 * immediately and forever.)
 *
 * @param maxRestarts  restarts in a row before giving up; 0 never restarts
 * @param initialDelay the delay before the first restart of a series
 * @param maxDelay     the longest delay
 * @param stableAfter  how long a plugin must run for its next exit to count as the first again
 */
public record RestartPolicy(int maxRestarts, Duration initialDelay, Duration maxDelay, Duration stableAfter) {
    /** Five restarts, 0.5 s doubling up to 30 s, series reset after a minute of running. */
    public static final RestartPolicy DEFAULT =
            new RestartPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(1));
    /** Never restart: an exit disables the plugin. */
    public static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /** Checks. */
    public RestartPolicy {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || stableAfter.isNegative()) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay and stableAfter >= 0: " + initialDelay
                    + ", " + maxDelay + ", " + stableAfter);
        }
    }

    /** The delay before restart number {@code attempt} (1-based) of a series. */
    public Duration delay(int attempt) {
        Duration d = initialDelay;
        for (int i = 1; i < attempt && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
