package dev.berth.cli.template;

import java.nio.charset.StandardCharsets;

/** Go's {@code strconv.Quote} and {@code strconv.Unquote}, which template errors and {@code %q} use. */
final class Quote {
    private Quote() {
    }

    /** {@code strconv.Quote}: double quotes, Go's escapes, printable Unicode kept as is. */
    static String go(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", c));
                    } else if (c >= 0x80 && (Character.isISOControl(c) || !Character.isDefined(c)
                            || Character.getType(c) == Character.FORMAT)) {
                        sb.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    /** Go's {@code %.10q}: the quoted form of at most the first 10 characters. */
    static String goShort(String s) {
        return go(s.codePointCount(0, s.length()) > 10 ? s.substring(0, s.offsetByCodePoints(0, 10)) : s);
    }

    /**
     * {@code strconv.Unquote} of a double-quoted, back-quoted or single-quoted literal.
     *
     * @throws IllegalArgumentException with Go's "invalid syntax" when the literal is malformed
     */
    static String unquote(String q) {
        char open = q.charAt(0);
        String body = q.substring(1, q.length() - 1);
        if (open == '`') {
            return body.replace("\r", "");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= body.length()) {
                throw new IllegalArgumentException("invalid syntax");
            }
            char e = body.charAt(i);
            switch (e) {
                case 'a' -> sb.append((char) 7);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append((char) 11);
                case '\\', '"', '\'' -> sb.append(e);
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    // exactly n hex digits must follow (Integer.parseInt alone would take a sign, and the old
                    // bound let a short escape at the end read past it; found by GoTemplateFuzzTest)
                    if (i + n >= body.length()) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    String digits = body.substring(i + 1, i + 1 + n);
                    if (!digits.chars().allMatch(d -> Character.digit(d, 16) >= 0 && d < 128)) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    int v = Integer.parseInt(digits, 16);
                    if (e == 'x') {
                        // \x is one byte of UTF-8; collect the run of them and decode together
                        byte[] bytes = {(byte) v};
                        sb.append(new String(bytes, StandardCharsets.ISO_8859_1));
                    } else {
                        sb.appendCodePoint(v);
                    }
                    i += n;
                }
                default -> {
                    if (e >= '0' && e <= '7' && i + 2 < body.length()) {
                        sb.append((char) Integer.parseInt(body.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                }
            }
        }
        return sb.toString();
    }
}
