package dev.berth.event;

import dev.berth.exception.InvalidParameterException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which events a subscriber or a journal reader wants, as {@code docker events --filter}, {@code --since}
 * and {@code --until} select plugin events:
 * <ul>
 *   <li>{@code type}: the event type, exactly ({@code plugin});</li>
 *   <li>{@code event}: the action, exactly ({@code pull}, {@code create}, {@code enable}, {@code disable},
 *       {@code remove}; Berth also has {@code push} and {@code die}); {@code action} is accepted as an alias;</li>
 *   <li>{@code plugin}: the plugin, as a prefix of its full ID or of its name (Docker's fuzzy match);</li>
 *   <li>{@code scope}: {@code local} (plugin events are local);</li>
 *   <li>Docker's keys for other objects ({@code container}, {@code image}, {@code volume}, {@code network},
 *       {@code daemon}, {@code service}, {@code node}, {@code secret}, {@code config}, {@code label}) are
 *       accepted and, as in Docker, no plugin event passes them;</li>
 *   <li>{@code since} and {@code until}: inclusive bounds on the event time.</li>
 * </ul>
 * Values of one key are alternatives; different keys must all pass. Immutable.
 *
 * @param filters the key/value filters, keys as listed above
 * @param since   the earliest time, inclusive
 * @param until   the latest time, inclusive
 */
public record EventFilter(Map<String, List<String>> filters, Optional<Instant> since, Optional<Instant> until) {
    /** Every event. */
    public static final EventFilter ALL = new EventFilter(Map.of(), Optional.empty(), Optional.empty());

    private static final Set<String> KEYS = Set.of("type", "event", "action", "plugin", "scope");
    private static final Set<String> OTHER_OBJECTS = Set.of("container", "image", "volume", "network", "daemon",
            "service", "node", "secret", "config", "label");

    /**
     * Checks the keys and the bounds.
     *
     * @throws InvalidParameterException {@code invalid filter '<key>'}, or since after until
     */
    public EventFilter {
        Objects.requireNonNull(filters, "filters");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : filters.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "filter key");
            if (!KEYS.contains(key) && !OTHER_OBJECTS.contains(key)) {
                throw new InvalidParameterException("invalid filter '" + key + "'");
            }
            copy.put(key, List.copyOf(e.getValue()));
        }
        filters = Collections.unmodifiableMap(copy);
        if (since.isPresent() && until.isPresent() && since.get().isAfter(until.get())) {
            throw new InvalidParameterException("since (" + since.get() + ") must not be after until (" + until.get() + ")");
        }
    }

    /**
     * Parses {@code KEY=VALUE} strings as {@code docker events --filter} takes them.
     *
     * @throws InvalidParameterException for a string without {@code =} or an unknown key
     */
    public static EventFilter parse(List<String> keyValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = Objects.requireNonNull(kv, "filter").indexOf('=');
            if (eq <= 0) {
                throw new InvalidParameterException("bad format of filter (expected name=value): " + kv);
            }
            map.computeIfAbsent(kv.substring(0, eq), k -> new ArrayList<>()).add(kv.substring(eq + 1));
        }
        return new EventFilter(map, Optional.empty(), Optional.empty());
    }

    /** This filter with an earliest time. @return a new filter */
    public EventFilter since(Instant value) {
        return new EventFilter(filters, Optional.of(value), until);
    }

    /** This filter with a latest time. @return a new filter */
    public EventFilter until(Instant value) {
        return new EventFilter(filters, since, Optional.of(value));
    }

    /** Whether a journal entry passes. */
    public boolean test(EventMessage m) {
        if (since.isPresent() && m.time().isBefore(since.get())) {
            return false;
        }
        if (until.isPresent() && m.time().isAfter(until.get())) {
            return false;
        }
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            List<String> values = f.getValue();
            boolean pass = switch (f.getKey()) {
                case "type" -> values.contains(m.type());
                case "event", "action" -> values.contains(m.action());
                case "plugin" -> m.type().equals(EventMessage.PLUGIN) && values.stream()
                        .anyMatch(v -> m.id().startsWith(v) || !m.name().isEmpty() && m.name().startsWith(v));
                case "scope" -> values.contains("local");
                default -> false; // another object's key: no plugin event is that object
            };
            if (!pass) {
                return false;
            }
        }
        return true;
    }

    /** Whether a live event passes. */
    public boolean test(PluginEvent event) {
        return test(EventMessage.of(event));
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("(\\d+)(?:\\.(\\d{1,9}))?");
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?)?(Z|z|[+-]\\d{2}:\\d{2})?");

    /**
     * Parses a time as {@code docker events --since/--until} does: a Go duration before {@code now}
     * ({@code 10m}, {@code 1h30m}, {@code 1.5h}), Unix seconds with optional fraction
     * ({@code 1700000000}, {@code 1700000000.5}), or an RFC 3339 date and time, whole or shortened
     * ({@code 2006-01-02T15:04:05Z}, {@code 2006-01-02T15:04:05.999999999+02:00}, {@code 2006-01-02T15:04},
     * {@code 2006-01-02}); without a zone it is local time in {@code zone}.
     *
     * @throws InvalidParameterException {@code failed to parse value as time or duration: "<value>"}
     */
    public static Instant parseTime(String value, Instant now, ZoneId zone) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(zone, "zone");
        Optional<Duration> d = goDuration(value);
        if (d.isPresent()) {
            return now.minus(d.get());
        }
        Matcher u = UNIX.matcher(value);
        if (u.matches()) {
            String frac = u.group(2) == null ? "" : u.group(2);
            long nanos = frac.isEmpty() ? 0 : Long.parseLong((frac + "000000000").substring(0, 9));
            return Instant.ofEpochSecond(Long.parseLong(u.group(1)), nanos);
        }
        Matcher t = DATE_TIME.matcher(value);
        if (t.matches()) {
            try {
                String frac = t.group(7) == null ? "" : t.group(7);
                LocalDateTime local = LocalDateTime.of(Integer.parseInt(t.group(1)), Integer.parseInt(t.group(2)),
                        Integer.parseInt(t.group(3)), num(t.group(4)), num(t.group(5)), num(t.group(6)),
                        frac.isEmpty() ? 0 : Integer.parseInt((frac + "000000000").substring(0, 9)));
                String z = t.group(8);
                if (z == null) {
                    return local.atZone(zone).toInstant();
                }
                return local.toInstant(z.equalsIgnoreCase("Z") ? ZoneOffset.UTC : ZoneOffset.of(z));
            } catch (DateTimeException e) {
                throw new InvalidParameterException("failed to parse value as time or duration: \"" + value + "\": "
                        + e.getMessage(), e);
            }
        }
        throw new InvalidParameterException("failed to parse value as time or duration: \"" + value + "\"");
    }

    private static int num(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    /** Go's {@code time.ParseDuration}, except that {@code "0"} is not a duration (Docker reads it as Unix time 0). */
    private static Optional<Duration> goDuration(String value) {
        String s = value;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.isEmpty() || s.equals("0")) {
            return Optional.empty();
        }
        Matcher m = DURATION_PART.matcher(s);
        int pos = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (pos < s.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return Optional.empty();
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(BigDecimal.valueOf(unit)));
            pos = m.end();
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return Optional.of(negative ? d.negated() : d);
    }
}
