package dev.berth.cli;

/**
 * Re-indents compact JSON the way Go's {@code json.Indent} does (and so {@code docker plugin inspect}):
 * one member or element per line, a fixed indent per level, {@code ": "} after keys, and empty objects
 * and arrays kept as {@code {}} and {@code []}. Only whitespace is added, so string escapes stay
 * byte-for-byte what the encoder wrote. Stateless and thread-safe.
 */
final class JsonIndent {
    private JsonIndent() {
    }

    /**
     * @param compact a JSON document without insignificant whitespace
     * @param indent  the text for one level, four spaces for Docker's inspect
     */
    static String indent(String compact, String indent) {
        StringBuilder out = new StringBuilder(compact.length() * 2);
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < compact.length()) {
                    out.append(compact.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    out.append(c);
                }
                case '{', '[' -> {
                    char next = i + 1 < compact.length() ? compact.charAt(i + 1) : 0;
                    if (next == '}' || next == ']') {
                        out.append(c).append(next);
                        i++;
                    } else {
                        out.append(c);
                        newline(out, ++depth, indent);
                    }
                }
                case '}', ']' -> {
                    newline(out, --depth, indent);
                    out.append(c);
                }
                case ',' -> {
                    out.append(c);
                    newline(out, depth, indent);
                }
                case ':' -> out.append(": ");
                case ' ', '\t', '\n', '\r' -> {
                    // insignificant whitespace of a not-quite-compact input is dropped
                }
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void newline(StringBuilder out, int depth, String indent) {
        out.append('\n');
        out.append(indent.repeat(Math.max(depth, 0)));
    }
}
