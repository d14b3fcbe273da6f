package dev.berth.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.InvalidParameterException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventFilterTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final String ID = "da599b8e0cbea36d52e6f3edd961d2d6064cf5e78c4063664418ee005801020f";

    static EventMessage message(String action, String name, Instant time) {
        return new EventMessage("plugin", action, ID, Map.of("name", name), time);
    }

    @Nested
    class ParseTime {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "10m|2026-06-01T11:50:00Z",
                "1h30m|2026-06-01T10:30:00Z",
                "1.5h|2026-06-01T10:30:00Z",
                "90s|2026-06-01T11:58:30Z",
                "250ms|2026-06-01T11:59:59.750Z",
                "-1h|2026-06-01T13:00:00Z",
                "1700000000|2023-11-14T22:13:20Z",
                "1700000000.5|2023-11-14T22:13:20.5Z",
                "0|1970-01-01T00:00:00Z",
                "2026-01-02T03:04:05Z|2026-01-02T03:04:05Z",
                "2026-01-02T03:04:05.123456789Z|2026-01-02T03:04:05.123456789Z",
                "2026-01-02T03:04:05+02:00|2026-01-02T01:04:05Z",
                "2026-01-02T03:04:05|2026-01-02T03:04:05Z",
                "2026-01-02T03:04|2026-01-02T03:04:00Z",
                "2026-01-02T03|2026-01-02T03:00:00Z",
                "2026-01-02|2026-01-02T00:00:00Z"})
        void parseTime_dockersForms_areInstants(String value, String expected) {
            assertThat(EventFilter.parseTime(value, NOW, ZoneOffset.UTC)).isEqualTo(Instant.parse(expected));
        }

        @Test
        void parseTime_withoutZone_isLocalTime() {
            assertThat(EventFilter.parseTime("2026-01-02T03:04:05", NOW, ZoneId.of("Europe/Berlin")))
                    .isEqualTo(Instant.parse("2026-01-02T02:04:05Z"));
        }

        @ParameterizedTest
        @CsvSource({"yesterday", "10x", "2026-13-01", "2026-01-02T25:00", "''"})
        void parseTime_garbage_isInvalidParameter(String value) {
            assertThatThrownBy(() -> EventFilter.parseTime(value, NOW, ZoneOffset.UTC))
                    .isInstanceOf(InvalidParameterException.class)
                    .hasMessageStartingWith("failed to parse value as time or duration: \"" + value + "\"");
        }
    }

    @Nested
    class Matching {
        @Test
        void test_keys_matchAsDockerDoes() {
            EventMessage m = message("enable", "localhost:5000/acme/vol:1.0", NOW);
            assertThat(EventFilter.ALL.test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("type=plugin")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("type=container")).test(m)).isFalse();
            assertThat(EventFilter.parse(List.of("event=disable", "event=enable")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("action=enable")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("event=enable", "event=pull")).test(message("remove", "x", NOW))).isFalse();
            assertThat(EventFilter.parse(List.of("plugin=localhost:5000/acme")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("plugin=da599b")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("plugin=acme")).test(m)).as("a prefix, not a substring").isFalse();
            assertThat(EventFilter.parse(List.of("scope=local")).test(m)).isTrue();
            assertThat(EventFilter.parse(List.of("scope=swarm")).test(m)).isFalse();
            assertThat(EventFilter.parse(List.of("container=da599b")).test(m)).isFalse();
            assertThat(EventFilter.parse(List.of("label=a=b")).test(m)).isFalse();
        }

        @Test
        void test_sinceAndUntil_areInclusive() {
            EventFilter f = EventFilter.ALL.since(NOW.minusSeconds(1)).until(NOW);
            assertThat(f.test(message("pull", "x", NOW))).isTrue();
            assertThat(f.test(message("pull", "x", NOW.minusSeconds(1)))).isTrue();
            assertThat(f.test(message("pull", "x", NOW.plusNanos(1)))).isFalse();
            assertThat(f.test(message("pull", "x", NOW.minusSeconds(2)))).isFalse();
        }

        @Test
        void construct_unknownKeyOrReversedBounds_isInvalidParameter() {
            assertThatThrownBy(() -> EventFilter.parse(List.of("colour=red")))
                    .isInstanceOf(InvalidParameterException.class).hasMessage("invalid filter 'colour'");
            assertThatThrownBy(() -> EventFilter.parse(List.of("type")))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("expected name=value");
            assertThatThrownBy(() -> new EventFilter(Map.of(), Optional.of(NOW), Optional.of(NOW.minusSeconds(1))))
                    .isInstanceOf(InvalidParameterException.class);
        }
    }

    @Test
    void messageOf_copiesDockersFieldsAndSortsAttributes() {
        EventMessage m = new EventMessage("plugin", "pull", ID, Map.of("z", "1", "name", "n"), NOW);
        assertThat(m.attributes().keySet()).containsExactly("name", "z");
        assertThat(m.name()).isEqualTo("n");
        assertThatThrownBy(() -> m.attributes().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
    }
}
