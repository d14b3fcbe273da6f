package dev.berth.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes compact JSON byte-for-byte as Go's {@code encoding/json} does (the Go 1.19 that Docker
 * 20.10 is built with): no spaces; {@code <}, {@code >}, {@code &}, U+2028 and U+2029 written as
 * backslash-u escapes with lower-case hex; newline, carriage return and tab as short escapes and other
 * control characters as backslash-u escapes; unpaired surrogates replaced by U+FFFD. The caller
 * writes keys in Go's field order. Not thread-safe.
 */
public final class GoJsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(256);
    private final boolean escapeHtml;
    /** Whether the next value or key in the current container needs a comma before it. */
    private boolean needComma;

    /** A writer that escapes {@code <}, {@code >} and {@code &}, as {@code json.Marshal} does. */
    public GoJsonWriter() {
        this(true);
    }

    private GoJsonWriter(boolean escapeHtml) {
        this.escapeHtml = escapeHtml;
    }

    /**
     * A writer that leaves {@code <}, {@code >} and {@code &} as they are, as a Go encoder with
     * {@code SetEscapeHTML(false)} does (Docker's {@code json} template function); U+2028 and U+2029
     * are still escaped.
     */
    public static GoJsonWriter withoutHtmlEscaping() {
        return new GoJsonWriter(false);
    }

    /** Starts an object (as a value, or at the top). */
    public GoJsonWriter beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    /** Ends an object. */
    public GoJsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    /** Starts an array. */
    public GoJsonWriter beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    /** Ends an array. */
    public GoJsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes a key; the next call writes its value. */
    public GoJsonWriter name(String key) {
        comma();
        string(key);
        out.append(':');
        needComma = false;
        return this;
    }

    /** Writes a string value, or {@code null} for null. */
    public GoJsonWriter value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    /** Writes a boolean value. */
    public GoJsonWriter value(boolean value) {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    /** Writes an integer value. */
    public GoJsonWriter value(long value) {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    /** Writes {@code null}. */
    public GoJsonWriter nullValue() {
        comma();
        out.append("null");
        needComma = true;
        return this;
    }

    /** Writes a list of strings, {@code null} for a null list (Go's nil slice). */
    public GoJsonWriter stringArray(List<String> values) {
        return array(values, (w, s) -> w.value(s));
    }

    /** Writes a list with a writer per element, {@code null} for a null list. */
    public <T> GoJsonWriter array(List<T> values, BiConsumer<GoJsonWriter, T> element) {
        if (values == null) {
            return nullValue();
        }
        beginArray();
        for (T v : values) {
            element.accept(this, v);
        }
        return endArray();
    }

    /**
     * A value that writes itself, such as a parsed JSON object of the codec module, whose types this
     * module cannot name.
     */
    public interface Node {
        /** Writes this value as one JSON value. */
        void writeTo(GoJsonWriter writer);
    }

    /**
     * Writes a tree of values: a {@link Node}, a {@link java.util.Map} with string keys (in its
     * iteration order), a {@link List}, a {@link String}, a {@link Boolean}, a {@link Number}
     * ({@link java.math.BigDecimal} in plain notation, others by {@code toString}) or {@code null}.
     *
     * @throws IllegalArgumentException for any other value, or a map key that is not a string
     */
    public GoJsonWriter tree(Object node) {
        if (node == null) {
            return nullValue();
        }
        if (node instanceof Node n) {
            n.writeTo(this);
            return this;
        }
        if (node instanceof java.util.Map<?, ?> m) {
            beginObject();
            m.forEach((k, v) -> {
                if (!(k instanceof String key)) {
                    throw new IllegalArgumentException("a JSON object key must be a string, got " + k);
                }
                name(key);
                tree(v);
            });
            return endObject();
        }
        if (node instanceof List<?> l) {
            beginArray();
            l.forEach(this::tree);
            return endArray();
        }
        if (node instanceof String s) {
            return value(s);
        }
        if (node instanceof Boolean b) {
            return value(b.booleanValue());
        }
        if (node instanceof Number n) {
            comma();
            out.append(n instanceof java.math.BigDecimal d ? d.toPlainString() : n.toString());
            needComma = true;
            return this;
        }
        throw new IllegalArgumentException("not a JSON value: " + node.getClass().getName());
    }

    /** The document so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    /** The document so far, UTF-8 encoded. */
    public byte[] toBytes() {
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&' -> {
                    if (escapeHtml) {
                        unicodeEscape(c);
                    } else {
                        out.append(c);
                    }
                }
                case '\u2028', '\u2029' -> unicodeEscape(c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            out.append('\uFFFD');
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
