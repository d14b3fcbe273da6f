package dev.berth.registry.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of a {@code Retry-After} header (RFC 9110, section 10.2.3): {@code delay-seconds} or an
 * {@code HTTP-date}. All three HTTP-date forms are read, because RFC 9110 (section 5.6.7) says a
 * recipient MUST accept them: the preferred IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the
 * obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and ANSI C's asctime
 * ({@code Sun Nov  6 08:49:37 1994}, in UTC).
 *
 * <p>Leniency, on purpose, since a readable date beats falling back to a blind backoff: names of days and
 * months in any case, the day of the week not checked against the date, a one-digit day and no day name
 * in the IMF-fixdate form (both of which {@code DateTimeFormatter.RFC_1123_DATE_TIME}, used before,
 * accepted), and a leap second read as :59. Strictness, where guessing would mislead: a date that does not
 * exist (30 February) or an hour past 23 is garbage rather than moved to another day, and the zone must be
 * {@code GMT}. Stateless.
 */
final class RetryAfter {
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");
    private static final String DAY = "(?:mon|tue|wed|thu|fri|sat|sun)";
    private static final String LONG_DAY = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
    private static final String MONTH = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
    /** Groups: day, month, year, hour, minute, second. */
    private static final Pattern IMF_FIXDATE = Pattern.compile(
            "(?:" + DAY + ", )?(\\d{1,2}) " + MONTH + " (\\d{4}) " + TIME + " gmt", Pattern.CASE_INSENSITIVE);
    /** Groups: day, month, two-digit year, hour, minute, second. */
    private static final Pattern RFC850 = Pattern.compile(
            LONG_DAY + ", (\\d{2})-" + MONTH + "-(\\d{2}) " + TIME + " gmt", Pattern.CASE_INSENSITIVE);
    /** Groups: month, day (space-padded), hour, minute, second, year. */
    private static final Pattern ASCTIME = Pattern.compile(
            DAY + " " + MONTH + " ([ \\d]\\d) " + TIME + " (\\d{4})", Pattern.CASE_INSENSITIVE);

    private RetryAfter() {
    }

    /**
     * How long a {@code Retry-After} value asks to wait, seen at {@code now}.
     *
     * @return the delay: the seconds given ({@link Long#MAX_VALUE} seconds when there are too many digits
     *         for a long, so that a cap on the wait refuses it rather than ignoring it), or the time until
     *         the date, {@link Duration#ZERO} for a date not after {@code now}; empty for a value that is
     *         neither (a negative number, a fraction, a sign, another date format or zone, garbage)
     */
    static Optional<Duration> parse(String value, Instant now) {
        String s = value.trim();
        if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(s)));
            } catch (NumberFormatException e) {
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
            }
        }
        return httpDate(s, now).map(at -> at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    }

    /**
     * An HTTP-date in any of its three forms; empty when {@code value} is none of them or names a time that
     * does not exist. {@code now} places an RFC 850 two-digit year: the latest year with those digits that is
     * not more than 50 years after {@code now} (RFC 9110, section 5.6.7).
     */
    static Optional<Instant> httpDate(String value, Instant now) {
        String s = value.trim();
        Matcher m = IMF_FIXDATE.matcher(s);
        if (m.matches()) {
            return instant(num(m, 3), m.group(2), num(m, 1), num(m, 4), num(m, 5), num(m, 6));
        }
        m = ASCTIME.matcher(s);
        if (m.matches()) {
            return instant(num(m, 6), m.group(1), Integer.parseInt(m.group(2).trim()), num(m, 3), num(m, 4), num(m, 5));
        }
        m = RFC850.matcher(s);
        if (m.matches()) {
            ZonedDateTime limit = now.atZone(ZoneOffset.UTC).plusYears(50);
            int year = limit.getYear() - Math.floorMod(limit.getYear(), 100) + num(m, 3);
            Optional<Instant> at = instant(year, m.group(2), num(m, 1), num(m, 4), num(m, 5), num(m, 6));
            if (at.isPresent() && at.get().isAfter(limit.toInstant())) {
                // e.g. "94" seen in 2025 is 1994, not 2094
                at = instant(year - 100, m.group(2), num(m, 1), num(m, 4), num(m, 5), num(m, 6));
            }
            return at;
        }
        return Optional.empty();
    }

    private static Optional<Instant> instant(int year, String month, int day, int hour, int minute, int second) {
        try {
            LocalDate date = LocalDate.of(year, MONTHS.indexOf(month.toLowerCase(Locale.ROOT)) + 1, day);
            // a leap second (":60", which the grammar allows) is read as the second before it
            LocalTime time = LocalTime.of(hour, minute, second == 60 ? 59 : second);
            return Optional.of(date.atTime(time).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }
}
