package dev.berth.registry.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a scheme and its parameters. The parser is total: malformed
 * input yields fewer challenges, never an exception, and a header longer than {@link #MAX_HEADER} is
 * ignored, so a hostile registry can't make it do unbounded work.
 *
 * @param scheme     the scheme, lower case ({@code basic}, {@code bearer})
 * @param parameters the parameters, keys lower case
 */
public record Challenge(String scheme, Map<String, String> parameters) {
    /** The longest header parsed. */
    public static final int MAX_HEADER = 16 * 1024;

    /** Copies. */
    public Challenge {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A parameter, or "" when absent. */
    public String parameter(String name) {
        return parameters.getOrDefault(name, "");
    }

    /** Parses every header value; challenges in order. */
    public static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String v : headerValues) {
            if (v.length() <= MAX_HEADER) {
                out.addAll(parse(v));
            }
        }
        return out;
    }

    /** Parses one header value, which may hold several challenges separated by commas. */
    public static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            i = skip(header, i, " \t,");
            if (i >= n) {
                break;
            }
            int start = i;
            while (i < n && isToken(header.charAt(i))) {
                i++;
            }
            if (i == start) {
                return out; // garbage: stop, keep what was complete
            }
            String token = header.substring(start, i);
            int j = skip(header, i, " \t");
            if (j < n && header.charAt(j) == '=' && scheme != null) {
                // a parameter of the current challenge
                j = skip(header, j + 1, " \t");
                String value;
                if (j < n && header.charAt(j) == '"') {
                    StringBuilder sb = new StringBuilder();
                    j++;
                    boolean closed = false;
                    while (j < n) {
                        char c = header.charAt(j++);
                        if (c == '\\' && j < n) {
                            sb.append(header.charAt(j++));
                        } else if (c == '"') {
                            closed = true;
                            break;
                        } else {
                            sb.append(c);
                        }
                    }
                    if (!closed) {
                        return out; // unterminated quote: drop the incomplete challenge
                    }
                    value = sb.toString();
                } else {
                    int vs = j;
                    while (j < n && header.charAt(j) != ',' && header.charAt(j) != ' ') {
                        j++;
                    }
                    value = header.substring(vs, j);
                }
                params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
                i = j;
            } else {
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                }
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
                i = j;
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
        return out;
    }

    private static int skip(String s, int i, String chars) {
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean isToken(char c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }
}
