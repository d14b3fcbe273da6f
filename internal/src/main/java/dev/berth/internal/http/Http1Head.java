package dev.berth.internal.http;

import java.net.ProtocolException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The status line and header fields of an HTTP/1.1 response, parsed strictly (RFC 9112): anything a
 * hostile or broken server could use to make Berth misread where the body ends is refused with a
 * {@link ProtocolException} rather than guessed at.
 *
 * @param status  the status code, 100 to 599
 * @param headers the header fields, names compared without case
 * @param http11  whether the status line says HTTP/1.1 (not 1.0)
 */
record Http1Head(int status, HttpHeaders headers, boolean http11) {
    /** How the body of a response is delimited. */
    enum Framing {
        /** No body: a HEAD response, 1xx, 204 or 304. */
        NONE,
        /** {@code Content-Length} bytes. */
        LENGTH,
        /** {@code Transfer-Encoding: chunked}. */
        CHUNKED,
        /** Everything until the server closes the connection. */
        UNTIL_CLOSE
    }

    private static final java.util.regex.Pattern LINE_END = java.util.regex.Pattern.compile("\r?\n");

    /**
     * Parses a head: its bytes up to the LF that ends its last line (a CR before that LF is dropped).
     *
     * @throws ProtocolException for a malformed status line, header name or field line
     */
    static Http1Head parse(byte[] bytes, int length) throws ProtocolException {
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1); // the CR of the last line's CRLF
        }
        // lines end with CRLF or a bare LF (see Http1Client's head reader); a CR anywhere else is refused
        String[] lines = LINE_END.split(text, -1);
        int status = parseStatusLine(lines[0]);
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                throw new ProtocolException("empty line inside the response head");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                // obsolete line folding: RFC 9112 lets a client refuse it, and a folded framing header is
                // a classic way to make two parsers disagree
                throw new ProtocolException("folded header line in the response");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed header line in the response");
            }
            String name = line.substring(0, colon);
            for (int c = 0; c < name.length(); c++) {
                if (!isTokenChar(name.charAt(c))) {
                    throw new ProtocolException("invalid header name in the response");
                }
            }
            String value = line.substring(colon + 1).strip();
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch == 0 || ch == '\r' || ch == '\n') {
                    throw new ProtocolException("invalid character in the value of header " + name);
                }
            }
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new Http1Head(status, HttpHeaders.of(fields, (n, v) -> true), lines[0].startsWith("HTTP/1.1 "));
    }

    private static int parseStatusLine(String line) throws ProtocolException {
        // HTTP-version SP 3DIGIT SP [reason]; some servers omit the space before an empty reason
        if (line.length() < 12 || !(line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
                || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw new ProtocolException("malformed status line: " + printable(line));
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("malformed status line: " + printable(line));
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100 || status > 599) {
            throw new ProtocolException("status code out of range: " + status);
        }
        return status;
    }

    /**
     * Whether the connection may carry another request once this response's body has been read to its
     * end: HTTP/1.1, no {@code Connection: close}, and a body delimited by its length or by chunks, not
     * both declared (RFC 9112 §6.1: a sender of both may be smuggling a second response) and not by the
     * close.
     */
    boolean reusable(String method) throws ProtocolException {
        if (!http11) {
            return false;
        }
        for (String v : headers.allValues("Connection")) {
            for (String token : v.split(",")) {
                if (token.strip().equalsIgnoreCase("close")) {
                    return false;
                }
            }
        }
        if (!headers.allValues("Transfer-Encoding").isEmpty() && !headers.allValues("Content-Length").isEmpty()) {
            return false;
        }
        return framing(method) != Framing.UNTIL_CLOSE;
    }

    /**
     * How the body of this response to {@code method} is delimited (RFC 9112 §6.3).
     *
     * @throws ProtocolException for a transfer coding Berth does not decode, or a {@code Content-Length}
     *                           that is invalid or given twice with different values
     */
    Framing framing(String method) throws ProtocolException {
        if (method.equals("HEAD") || status < 200 || status == 204 || status == 304) {
            return Framing.NONE;
        }
        List<String> codings = headers.allValues("Transfer-Encoding");
        if (!codings.isEmpty()) {
            // Transfer-Encoding overrides Content-Length; a response with both is never followed by
            // another on the same connection (see reusable), so a smuggled second response is never read
            List<String> all = new ArrayList<>();
            for (String v : codings) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        all.add(part.strip().toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (all.isEmpty()) {
                throw new ProtocolException("empty Transfer-Encoding");
            }
            if (all.get(all.size() - 1).equals("chunked")) {
                if (all.size() > 1) {
                    throw new ProtocolException("unsupported transfer coding: " + String.join(", ", all));
                }
                return Framing.CHUNKED;
            }
            throw new ProtocolException("unsupported transfer coding: " + String.join(", ", all));
        }
        return contentLength().isPresent() ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    /**
     * The declared body length.
     *
     * @throws ProtocolException when it is not a decimal number or values disagree
     */
    OptionalLong contentLength() throws ProtocolException {
        List<String> values = headers.allValues("Content-Length");
        long length = -1;
        for (String v : values) {
            for (String part : v.split(",", -1)) {
                long l = parseLength(part.strip());
                if (length >= 0 && l != length) {
                    throw new ProtocolException("conflicting Content-Length values");
                }
                length = l;
            }
        }
        return length < 0 ? OptionalLong.empty() : OptionalLong.of(length);
    }

    private static long parseLength(String s) throws ProtocolException {
        if (s.isEmpty() || s.length() > 18) {
            throw new ProtocolException("invalid Content-Length");
        }
        long l = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("invalid Content-Length");
            }
            l = l * 10 + (c - '0');
        }
        return l;
    }

    /** RFC 9110 token characters. */
    static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** At most 80 characters of a line, non-printable ones escaped, for error messages. */
    private static String printable(String line) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < line.length() && sb.length() < 80; i++) {
            char c = line.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
