package dev.berth.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.berth.api.internal.GoJsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON into a small tree ({@link JsonObject}, lists, strings, booleans, decimals,
 * {@link #NULL}). Exactly one value per document; trailing data is an error, as Docker requires of
 * plugin configs. Thread-safe.
 */
public final class Json {
    /**
     * The largest decimal exponent of a number read, either way: beyond float64's range (±308, ±324
     * subnormal) with room to spare, and small enough that writing a number out in full stays short.
     */
    static final int MAX_EXPONENT = 400;

    /** JSON {@code null}, and the value of an absent key. */
    public static final Object NULL = new GoJsonWriter.Node() {
        @Override
        public void writeTo(GoJsonWriter writer) {
            writer.nullValue();
        }

        @Override
        public String toString() {
            return "null";
        }
    };

    /** The default cap on a document: 1 MiB, the size limit for plugin configs. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    private static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(64)
                    .maxStringLength(DEFAULT_MAX_BYTES)
                    .build())
            .build();

    private Json() {
    }

    /**
     * Parses a whole document.
     *
     * @param bytes    UTF-8 JSON
     * @param maxBytes the largest document accepted
     * @throws JsonException if the document is too large, malformed, has duplicate keys (in any case)
     *                       or trailing data
     */
    public static Object parse(byte[] bytes, int maxBytes) {
        if (bytes.length > maxBytes) {
            throw new JsonException("JSON document of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
        }
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            return parseDocument(parser);
        } catch (JsonProcessingException e) {
            throw new JsonException("invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new JsonException("invalid JSON: " + e.getMessage(), e);
        }
    }

    /** {@link #parse(byte[], int)} with the default 1 MiB cap. */
    public static Object parse(byte[] bytes) {
        return parse(bytes, DEFAULT_MAX_BYTES);
    }

    /** Parses a document that must be an object. */
    public static JsonObject parseObject(byte[] bytes, int maxBytes) {
        Object v = parse(bytes, maxBytes);
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new JsonException("expected a JSON object, got " + typeName(v));
    }

    /** Parses a document that must be an object, with the default cap. */
    public static JsonObject parseObject(byte[] bytes) {
        return parseObject(bytes, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads at most {@code maxBytes} from the stream and parses them; a longer stream is an error, so
     * a hostile peer cannot make Berth buffer without bound. The stream is not closed.
     */
    public static Object parse(InputStream in, int maxBytes) throws IOException {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new JsonException("JSON document exceeds the limit of " + maxBytes + " bytes");
        }
        return parse(bytes, maxBytes);
    }

    private static Object parseDocument(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new JsonException("invalid JSON: empty document");
        }
        Object value = readValue(parser, first);
        JsonToken trailing;
        try {
            trailing = parser.nextToken();
        } catch (JsonProcessingException e) {
            throw new JsonException("invalid JSON: unexpected data after the document", e);
        }
        if (trailing != null) {
            throw new JsonException("invalid JSON: unexpected data after the document");
        }
        return value;
    }

    /**
     * Replaces each unpaired surrogate (an escape such as {@code "\\ud800"}) with U+FFFD, as Go's
     * decoder does. Kept as is, it would not survive encoding to UTF-8, so a decoded value would not
     * re-encode to itself and Berth would see a different string than Docker (found by
     * {@code JsonCodecsFuzzTest}).
     */
    static String wellFormed(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (b != null) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (b == null) {
                    b = new StringBuilder(s.length()).append(s, 0, i);
                }
                b.append('\uFFFD');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                JsonObject object = new JsonObject();
                JsonToken t;
                while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = wellFormed(parser.currentName());
                    object.put(key, readValue(parser, parser.nextToken()));
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new JsonException("invalid JSON: unterminated object");
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new JsonException("invalid JSON: unterminated array");
                    }
                    list.add(readValue(parser, t));
                }
                return java.util.Collections.unmodifiableList(list);
            }
            case VALUE_STRING -> {
                return wellFormed(parser.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                java.math.BigDecimal d;
                try {
                    d = parser.getDecimalValue();
                } catch (NumberFormatException | ArithmeticException e) {
                    // an exponent BigDecimal cannot hold (1e73043362938): Jackson's own exception would
                    // escape the JsonException every caller handles (found by JsonCodecsFuzzTest)
                    throw new JsonException("invalid JSON: number out of range", e);
                }
                if (d.signum() == 0) {
                    return java.math.BigDecimal.ZERO;
                }
                // Go reads a JSON number into a float64 at most (about 1.8e308). A value far beyond that
                // (44444444444E4444444432) would be refused there, and here any code that writes it out
                // in full (toPlainString) would need gigabytes (found by JsonCodecsFuzzTest: out of memory)
                long exponent = (long) d.precision() - d.scale() - 1;
                if (exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT) {
                    throw new JsonException("invalid JSON: number out of range");
                }
                return d;
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new JsonException("invalid JSON: unexpected token " + token);
        }
    }

    /** A short name of a tree value's JSON type, for messages. */
    static String typeName(Object v) {
        if (v == NULL) {
            return "null";
        }
        if (v instanceof JsonObject) {
            return "object";
        }
        if (v instanceof List) {
            return "array";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        return "number";
    }
}
