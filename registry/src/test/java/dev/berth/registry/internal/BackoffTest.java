package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The retry budget reads only the clock it is given, so a fixed or moved clock decides it. */
class BackoffTest {
    static final Instant T0 = Instant.parse("2001-02-03T04:05:06Z");
    static final RetryPolicy POLICY = RetryPolicy.DEFAULT.withMaxAttempts(3);

    /** A clock a test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void mayRetry_waitEndingAtTheDeadline_allowed() {
        ManualClock clock = new ManualClock();
        Backoff budget = new Backoff(POLICY, clock);

        clock.now = T0.plus(POLICY.timeout()).minusSeconds(1);

        assertThat(budget.mayRetry(1, Duration.ofSeconds(1))).isTrue();
        assertThat(budget.mayRetry(1, Duration.ofSeconds(2))).isFalse();
    }

    @Test
    void mayRetry_deadlinePassedOnTheClock_refusedWhateverTheSystemTime() {
        ManualClock clock = new ManualClock();
        Backoff budget = new Backoff(POLICY, clock);

        clock.now = T0.plus(POLICY.timeout()).plusMillis(1);

        assertThat(budget.mayRetry(1, Duration.ZERO)).isFalse();
    }

    @Test
    void mayRetry_lastAttempt_refused() {
        Backoff budget = new Backoff(POLICY, Clock.fixed(T0, ZoneOffset.UTC));

        assertThat(budget.mayRetry(POLICY.maxAttempts() - 1, Duration.ZERO)).isTrue();
        assertThat(budget.mayRetry(POLICY.maxAttempts(), Duration.ZERO)).isFalse();
    }

    @Test
    void delay_anyAttempt_withinHalfToFullOfTheCappedExponential() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int attempt = 1; attempt <= 30; attempt++) {
            long bound = Math.min(1000, 100L << Math.min(attempt - 1, 20));

            assertThat(Backoff.delay(policy, attempt).toMillis()).as("attempt %d", attempt)
                    .isBetween(bound / 2, bound);
        }
    }

    @Test
    void retryAfter_httpDate_readAgainstTheGivenClock() {
        Clock fixed = Clock.fixed(T0, ZoneOffset.UTC);

        assertThat(RetryAfter.parse("Sat, 03 Feb 2001 04:06:06 GMT", fixed.instant())).hasValue(Duration.ofMinutes(1));
    }
}
