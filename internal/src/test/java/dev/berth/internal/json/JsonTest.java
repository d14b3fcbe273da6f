package dev.berth.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.internal.GoJsonWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    class Parse {
        @Test
        void parse_keysDifferingInCase_matchTheSameField() {
            JsonObject o = Json.parseObject(utf8("{\"socKET\":\"a.sock\",\"TYPES\":[\"x\"]}"));
            assertThat(o.string("Socket")).isEqualTo("a.sock");
            assertThat(o.stringArray("Types")).containsExactly("x");
            assertThat(o.has("socket")).isTrue();
            assertThat(o.keys()).containsExactly("socKET", "TYPES");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"size\":5e73043362938}", "[1E-99999999999]", "{\"a\":-0.5e+2147483648}"})
        void parse_exponentOutOfRange_rejectedAsJsonException(String json) {
            // Found by JsonCodecsFuzzTest: Jackson's NumberFormatException escaped the parser.
            assertThatThrownBy(() -> Json.parse(utf8(json)))
                    .isExactlyInstanceOf(JsonException.class).hasMessageContaining("number out of range");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"schemaVersion\":44444444444E4444444432}", "[1e401]", "[-1.5E+999999]", "[1e-402]",
            "[0.000001e-999]"})
        void parse_numberFarBeyondFloat64_rejectedAsJsonException(String json) {
            // Found by JsonCodecsFuzzTest: decodeIndex ran out of memory writing such a schemaVersion out in
            // full for its error message. Go refuses these too (float64 holds about 1.8e308).
            assertThatThrownBy(() -> Json.parse(utf8(json)))
                    .isExactlyInstanceOf(JsonException.class).hasMessageContaining("number out of range");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[1e308]", "[1.7976931348623157e308]", "[4.9e-324]", "[0e-99999]", "[-0.0]"})
        void parse_numberWithinFloat64_kept(String json) {
            assertThat(Json.parse(utf8(json))).isNotNull();
        }

        @Test
        void parse_unpairedSurrogateEscapes_replacedLikeGo() {
            // Found by JsonCodecsFuzzTest: kept as is, "\\ud800" decoded to a string that the writer
            // re-encodes as U+FFFD, so a decoded config did not round-trip to itself.
            JsonObject o = Json.parseObject(utf8("{\"a\":\"x\\udc00y\\ud83d\\ude00\\ud83d\",\"b\":[\"\\ud800\"]}"));
            assertThat(o.string("a")).isEqualTo("x\uFFFDy\uD83D\uDE00\uFFFD");
            assertThat(o.stringArray("b")).containsExactly("\uFFFD");
        }

        @Test
        void parse_kelvinAndLongS_foldLikeGo() {
            // Go's EqualFold maps U+212A to k and U+017F to s; a field named with them still matches.
            JsonObject o = Json.parseObject(utf8("{\"\u212Aey\":1,\"\u017Fize\":2}"));
            assertThat(o.integer("key", 0, 10)).isEqualTo(1);
            assertThat(o.integer("size", 0, 10)).isEqualTo(2);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"Name\":\"a\",\"Name\":\"b\"}",
            "{\"Name\":\"a\",\"name\":\"b\"}",
            "{\"Key\":\"a\",\"\u212Aey\":\"b\"}",
            "{\"a\":{\"Value\":[],\"VALUE\":[\"x\"]}}",
        })
        void parse_duplicateKeysInAnyCase_rejected(String json) {
            assertThatThrownBy(() -> Json.parse(utf8(json)))
                    .isInstanceOf(JsonException.class)
                    .hasMessageContaining("duplicate key");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{} {}", "{}x", "[1] [2]", "{\"a\":1}}", "", "   ", "{\"a\":", "[1,", "{'a':1}"})
        void parse_malformedOrTrailingData_rejected(String json) {
            assertThatThrownBy(() -> Json.parse(utf8(json))).isInstanceOf(JsonException.class);
        }

        @Test
        void parse_trailingWhitespace_accepted() {
            assertThat(Json.parse(utf8("{}\n  \n"))).isInstanceOf(JsonObject.class);
        }

        @Test
        void parse_overSizeLimit_rejectedBeforeParsing() {
            assertThatThrownBy(() -> Json.parse(utf8("[1,2,3,4,5]"), 10))
                    .isInstanceOf(JsonException.class).hasMessageContaining("limit");
        }

        @Test
        void parse_streamOverLimit_readsNoMoreThanLimitPlusOne() {
            byte[] big = new byte[1000];
            java.util.Arrays.fill(big, (byte) ' ');
            ByteArrayInputStream in = new ByteArrayInputStream(big);
            assertThatThrownBy(() -> Json.parse(in, 100)).isInstanceOf(JsonException.class);
            assertThat(in.available()).isEqualTo(1000 - 101);
        }

        @Test
        void parse_deepNesting_rejected() {
            String deep = "[".repeat(1000) + "]".repeat(1000);
            assertThatThrownBy(() -> Json.parse(utf8(deep))).isInstanceOf(JsonException.class);
        }

        @Test
        void accessors_nullAndAbsent_giveZeroValues() {
            JsonObject o = Json.parseObject(utf8("{\"s\":null,\"b\":null,\"l\":null}"));
            assertThat(o.string("s")).isEmpty();
            assertThat(o.string("absent")).isEmpty();
            assertThat(o.bool("b")).isFalse();
            assertThat(o.stringArray("l")).isNull();
            assertThat(o.nullableString("s")).isNull();
            assertThat(o.object("absent")).isNull();
        }

        @Test
        void accessors_wrongType_rejectedNamingTheField() {
            JsonObject o = Json.parseObject(utf8("{\"IpcHost\":\"yes\",\"Args\":[]}"));
            assertThatThrownBy(() -> o.bool("IpcHost")).hasMessageContaining("IpcHost").hasMessageContaining("boolean");
            assertThatThrownBy(() -> o.object("Args")).hasMessageContaining("Args");
        }

        @Test
        void integer_outOfRange_rejected() {
            JsonObject o = Json.parseObject(utf8("{\"UID\":4294967296,\"GID\":-1,\"X\":1.5}"));
            assertThatThrownBy(() -> o.integer("UID", 0, 0xFFFF_FFFFL)).isInstanceOf(JsonException.class);
            assertThatThrownBy(() -> o.integer("GID", 0, 0xFFFF_FFFFL)).isInstanceOf(JsonException.class);
            assertThatThrownBy(() -> o.integer("X", 0, 10)).isInstanceOf(JsonException.class);
        }
    }

    @Nested
    class Write {
        @Test
        void value_htmlAndLineSeparators_escapedLikeGo() {
            String out = new GoJsonWriter().value("<a href=\"x\">&\u2028\u2029</a>").toString();
            assertThat(out).isEqualTo("\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u2028\\u2029\\u003c/a\\u003e\"");
        }

        @Test
        void value_controlCharacters_escapedLikeGo119() {
            String out = new GoJsonWriter().value("\n\r\t\b\f\u0001\u001f\\").toString();
            assertThat(out).isEqualTo("\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\\\\\"");
        }

        @Test
        void value_unpairedSurrogates_replaced() {
            String out = new GoJsonWriter().value("a\uD800b\uDC00c\uD83D\uDE00").toString();
            assertThat(out).isEqualTo("\"a\uFFFDb\uFFFDc\uD83D\uDE00\"");
        }

        @Test
        void stringArray_nullVersusEmpty_keptApart() {
            GoJsonWriter w = new GoJsonWriter().beginObject();
            w.name("A").stringArray(null).name("B").stringArray(List.of()).name("C").stringArray(List.of("x", "y"));
            assertThat(w.endObject().toString()).isEqualTo("{\"A\":null,\"B\":[],\"C\":[\"x\",\"y\"]}");
        }

        @Test
        void tree_roundTripsADocument() {
            String json = "{\"b\":[1,2.5,true,null,\"s\"],\"a\":{}}";
            assertThat(new GoJsonWriter().tree(Json.parse(utf8(json))).toString()).isEqualTo(json);
        }
    }
}
