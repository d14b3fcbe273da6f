package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Retry-After}: {@link Transport#retryAfter} on a response against the real clock, and
 * {@link RetryAfter} against a fixed one for exact values. Berth reads all three HTTP-date forms, as RFC
 * 9110 section 5.6.7 requires of a recipient.
 */
class RetryAfterTest {
    static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    static final DateTimeFormatter RFC850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
            .withZone(ZoneOffset.UTC);
    /** The RFC's example instant, and a "now" one minute before it. */
    static final Instant EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");
    static final Instant NOW = EXAMPLE.minusSeconds(60);

    static Optional<Duration> retryAfter(String... values) {
        Map<String, List<String>> map = values.length == 0 ? Map.of() : Map.of("Retry-After", List.of(values));
        Response r = new Response(429, HttpHeaders.of(map, (k, v) -> true), URI.create("http://127.0.0.1/"),
                InputStream.nullInputStream());
        return Transport.retryAfter(r, Clock.systemUTC());
    }

    @Nested
    class OnAResponse {
        @Test
        void retryAfter_seconds_isThatMany() {
            assertThat(retryAfter("120")).hasValue(Duration.ofSeconds(120));
            assertThat(retryAfter(" 0 ")).hasValue(Duration.ZERO);
        }

        @Test
        void retryAfter_imfDateInTheFuture_isTheTimeUntilThen() {
            // the date has whole seconds: 30 s ahead, cut to the second, is 29 to 30 s away
            String date = IMF.format(Instant.now().plusSeconds(30));

            assertThat(retryAfter(date)).hasValueSatisfying(d -> assertThat(d)
                    .isBetween(Duration.ofSeconds(28), Duration.ofSeconds(30)));
        }

        @Test
        void retryAfter_obsoleteDateFormsInTheFuture_areTheTimeUntilThen() {
            Instant at = Instant.now().plusSeconds(30);

            for (String date : List.of(RFC850.format(at), ASCTIME.format(at))) {
                assertThat(retryAfter(date)).as(date).hasValueSatisfying(d -> assertThat(d)
                        .isBetween(Duration.ofSeconds(28), Duration.ofSeconds(30)));
            }
        }

        @Test
        void retryAfter_dateInThePast_isZero() {
            assertThat(retryAfter(IMF.format(Instant.now().minusSeconds(3600)))).hasValue(Duration.ZERO);
            assertThat(retryAfter("Sun, 06 Nov 1994 08:49:37 GMT")).hasValue(Duration.ZERO);
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"-1", "-120", "soon", "", "1.5", "+5", "0x10", "5 s", "120, 60",
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000", "2030-01-01T00:00:00Z"})
        void retryAfter_negativeOrGarbage_isEmpty(String value) {
            assertThat(retryAfter(value)).isEmpty();
        }

        @Test
        void retryAfter_absent_isEmpty() {
            assertThat(retryAfter()).isEmpty();
        }

        @Test
        void retryAfter_moreDigitsThanALong_isHugeNotAbsent() {
            // absent would mean "retry soon": a server asking for an absurd wait must meet the cap instead
            assertThat(retryAfter("99999999999999999999999")).hasValue(Duration.ofSeconds(Long.MAX_VALUE));
        }
    }

    @Nested
    class AtAFixedTime {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "IMF-fixdate            | Sun, 06 Nov 1994 08:49:37 GMT",
            "RFC 850                | Sunday, 06-Nov-94 08:49:37 GMT",
            "asctime                | Sun Nov  6 08:49:37 1994",
            "asctime two-digit day  | Sun Nov 06 08:49:37 1994",
            "IMF one-digit day      | Sun, 6 Nov 1994 08:49:37 GMT",
            "IMF without day name   | 06 Nov 1994 08:49:37 GMT",
            "other case             | SUN, 06 NOV 1994 08:49:37 gmt",
            "wrong day name         | Mon, 06 Nov 1994 08:49:37 GMT",
            "surrounding space      | '  Sun, 06 Nov 1994 08:49:37 GMT  '",
        })
        void parse_eachAcceptedForm_isTheExactTimeUntilThen(String name, String value) {
            assertThat(RetryAfter.httpDate(value, NOW)).hasValue(EXAMPLE);
            assertThat(RetryAfter.parse(value, NOW)).hasValue(Duration.ofSeconds(60));
        }

        @Test
        void parse_leapSecond_isTheSecondBefore() {
            assertThat(RetryAfter.httpDate("Sat, 31 Dec 2016 23:59:60 GMT", NOW))
                    .hasValue(Instant.parse("2016-12-31T23:59:59Z"));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "no such day        | Wed, 31 Nov 1994 08:49:37 GMT",
            "29 Feb, no leap    | Tue, 29 Feb 1994 08:49:37 GMT",
            "hour 24            | Sun, 06 Nov 1994 24:00:00 GMT",
            "second 61          | Sun, 06 Nov 1994 08:49:61 GMT",
            "no such month      | Sun, 06 Noe 1994 08:49:37 GMT",
            "RFC 850 short day  | Sun, 06-Nov-94 08:49:37 GMT",
            "asctime with zone  | Sun Nov  6 08:49:37 1994 GMT",
            "two-digit IMF year | Sun, 06 Nov 94 08:49:37 GMT",
        })
        void parse_malformedDate_isEmpty(String name, String value) {
            assertThat(RetryAfter.parse(value, NOW)).isEmpty();
        }

        @Test
        void parse_rfc850TwoDigitYear_isTheLatestYearNotMoreThan50YearsAhead() {
            Instant now = Instant.parse("2025-06-01T00:00:00Z");

            assertThat(RetryAfter.httpDate("Thursday, 01-Jan-70 00:00:00 GMT", now))
                    .hasValue(Instant.parse("2070-01-01T00:00:00Z"));
            assertThat(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT", now)).hasValue(EXAMPLE);
            assertThat(RetryAfter.httpDate("Monday, 01-Jun-26 00:00:00 GMT", now))
                    .hasValue(Instant.parse("2026-06-01T00:00:00Z"));
            // late in the century the window reaches into the next one
            assertThat(RetryAfter.httpDate("Wednesday, 01-Jan-10 00:00:00 GMT", Instant.parse("2099-01-01T00:00:00Z")))
                    .hasValue(Instant.parse("2110-01-01T00:00:00Z"));
        }

        @Test
        void parse_dateAtNow_isZero() {
            assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE)).hasValue(Duration.ZERO);
        }

        @Test
        void parse_subSecondNow_isExact() {
            Instant now = NOW.plus(250, ChronoUnit.MILLIS);

            assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now)).hasValue(Duration.ofMillis(59_750));
        }
    }
}
