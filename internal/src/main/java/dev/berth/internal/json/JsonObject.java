package dev.berth.internal.json;

import dev.berth.api.internal.GoJsonWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object whose keys are matched as Go's {@code encoding/json} matches struct fields: without
 * regard to case. Two keys that differ only in case are a duplicate and rejected when the object is
 * built. Values are {@link JsonObject}, {@code List<Object>}, {@link String}, {@link Boolean},
 * {@link java.math.BigDecimal} or {@link Json#NULL}.
 */
public final class JsonObject implements GoJsonWriter.Node {
    private final Map<String, Object> byFoldedKey = new LinkedHashMap<>();
    private final Map<String, String> originalKeys = new LinkedHashMap<>();

    JsonObject() {
    }

    void put(String key, Object value) {
        String folded = fold(key);
        String previous = originalKeys.putIfAbsent(folded, key);
        if (previous != null) {
            throw new JsonException(previous.equals(key)
                    ? "duplicate key \"" + key + "\""
                    : "duplicate key \"" + key + "\" (same as \"" + previous + "\" ignoring case)");
        }
        byFoldedKey.put(folded, value);
    }

    /**
     * Folds a key the way Go's {@code bytes.EqualFold} compares field names: ASCII letters to lower
     * case, and the two non-ASCII letters that fold onto ASCII ones (U+017F long s, U+212A Kelvin).
     */
    static String fold(String key) {
        StringBuilder sb = null;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            char f = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c == '\u017F' ? 's' : c == '\u212A' ? 'k' : c;
            if (f != c && sb == null) {
                sb = new StringBuilder(key.length()).append(key, 0, i);
            }
            if (sb != null) {
                sb.append(f);
            }
        }
        return sb == null ? key : sb.toString();
    }

    /** Writes the object with its keys as written and in document order. */
    @Override
    public void writeTo(GoJsonWriter writer) {
        writer.beginObject();
        entries().forEach((k, v) -> {
            writer.name(k);
            writer.tree(v);
        });
        writer.endObject();
    }

    /** Whether the key is present, with any value including null. */
    public boolean has(String key) {
        return byFoldedKey.containsKey(fold(key));
    }

    /** The raw value, or {@link Json#NULL} when absent or null. */
    public Object get(String key) {
        Object v = byFoldedKey.get(fold(key));
        return v == null ? Json.NULL : v;
    }

    /** The keys as written in the document, in document order. */
    public List<String> keys() {
        return List.copyOf(originalKeys.values());
    }

    /** The entries keyed by the keys as written, in document order. */
    public Map<String, Object> entries() {
        Map<String, Object> out = new LinkedHashMap<>();
        originalKeys.forEach((folded, original) -> out.put(original, byFoldedKey.get(folded)));
        return Collections.unmodifiableMap(out);
    }

    /** A string field: {@code ""} when absent or null; an error for another type. */
    public String string(String key) {
        Object v = get(key);
        if (v == Json.NULL) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        throw typeError(key, "string", v);
    }

    /** A nullable string field (a Go {@code *string}): null when absent or null. */
    public String nullableString(String key) {
        Object v = get(key);
        if (v == Json.NULL) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw typeError(key, "string", v);
    }

    /** A boolean field: false when absent or null. */
    public boolean bool(String key) {
        Object v = get(key);
        if (v == Json.NULL) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw typeError(key, "boolean", v);
    }

    /** An integer field within {@code [min, max]}: 0 when absent or null. */
    public long integer(String key, long min, long max) {
        Object v = get(key);
        if (v == Json.NULL) {
            return 0;
        }
        if (v instanceof java.math.BigDecimal n) {
            try {
                long l = n.longValueExact();
                if (l >= min && l <= max) {
                    return l;
                }
            } catch (ArithmeticException e) {
                // fall through to the error
            }
            throw new JsonException("field \"" + key + "\": " + n.toPlainString() + " is not an integer in ["
                    + min + ", " + max + "]");
        }
        throw typeError(key, "number", v);
    }

    /** An object field, or null when absent or null. */
    public JsonObject object(String key) {
        Object v = get(key);
        if (v == Json.NULL) {
            return null;
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw typeError(key, "object", v);
    }

    /** An array field, or null when absent or null. */
    @SuppressWarnings("unchecked")
    public List<Object> array(String key) {
        Object v = get(key);
        if (v == Json.NULL) {
            return null;
        }
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw typeError(key, "array", v);
    }

    /** An array of strings, or null when absent or null; a null element becomes {@code ""} as in Go. */
    public List<String> stringArray(String key) {
        List<Object> raw = array(key);
        if (raw == null) {
            return null;
        }
        return raw.stream().map(e -> {
            if (e == Json.NULL) {
                return "";
            }
            if (e instanceof String s) {
                return s;
            }
            throw typeError(key + "[]", "string", e);
        }).toList();
    }

    /** Equal when both have the same keys as written, in the same order, with equal values. */
    @Override
    public boolean equals(Object other) {
        return other instanceof JsonObject o && entries().equals(o.entries())
                && keys().equals(o.keys());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }

    @Override
    public String toString() {
        return new GoJsonWriter().tree(this).toString();
    }

    static JsonException typeError(String key, String expected, Object actual) {
        return new JsonException("field \"" + key + "\": expected " + expected + ", got " + Json.typeName(actual));
    }
}
