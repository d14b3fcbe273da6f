package dev.berth.internal.unixhttp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Just enough HTTP/1.1 over a unix socket for Docker's plugin protocol: one {@code POST} per
 * connection ({@code Connection: close}), responses framed by {@code Content-Length}, chunked
 * transfer coding, or the end of the stream. Every call has one deadline for connect, write and read,
 * and a cap on the response size, so a plugin that hangs or floods cannot hold the caller.
 * Stateless and thread-safe.
 */
public final class UnixHttpClient {
    /** Docker's plugin protocol media type, sent as {@code Accept} and {@code Content-Type}. */
    public static final String PLUGIN_MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private UnixHttpClient() {
    }

    /** A response: status code, headers (keys lower-cased), body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        /** Copies. */
        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether something accepts connections on the socket now. Never blocks (a listener with a full
     * backlog counts as not accepting) and never throws for a missing or refusing socket.
     */
    public static boolean accepts(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.configureBlocking(false);
            return ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends {@code POST <path>} with a JSON body and reads the whole response.
     *
     * @param socket   the unix socket
     * @param path     the request path, e.g. {@code /Plugin.Activate}
     * @param body     the request body (may be empty)
     * @param timeout  the deadline for the whole exchange
     * @param maxBody  the largest response body accepted
     * @throws IOException on a connection failure, a timeout ({@link java.net.SocketTimeoutException}),
     *                     a malformed or oversized response
     */
    public static Response post(Path socket, String path, byte[] body, Duration timeout, int maxBody)
            throws IOException {
        Objects.requireNonNull(socket, "socket");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("bad request path: \"" + path + "\"");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: plugin\r\n"
                + "User-Agent: berth\r\n"
                + "Accept: " + PLUGIN_MEDIA_TYPE + "\r\n"
                + "Content-Type: " + PLUGIN_MEDIA_TYPE + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                await(ch, selector, SelectionKey.OP_CONNECT, deadline);
                ch.finishConnect();
            }
            ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(body).flip();
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) {
                    await(ch, selector, SelectionKey.OP_WRITE, deadline);
                }
            }
            return new Reader(ch, selector, deadline, maxBody).response();
        }
    }

    private static void await(SocketChannel ch, Selector selector, int op, long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new java.net.SocketTimeoutException("plugin did not answer in time");
        }
        SelectionKey key = ch.register(selector, op);
        try {
            if (selector.select(Math.max(1, remaining / 1_000_000)) == 0) {
                throw new java.net.SocketTimeoutException("plugin did not answer in time");
            }
        } finally {
            key.interestOps(0);
            selector.selectedKeys().clear();
        }
    }

    /** Reads one response from a non-blocking channel, buffering at most the head and the capped body. */
    private static final class Reader {
        private final SocketChannel ch;
        private final Selector selector;
        private final long deadline;
        private final int maxBody;
        private final ByteBuffer buf = ByteBuffer.allocate(8192);
        private boolean eof;

        Reader(SocketChannel ch, Selector selector, long deadline, int maxBody) {
            this.ch = ch;
            this.selector = selector;
            this.deadline = deadline;
            this.maxBody = maxBody;
            buf.flip();
        }

        /** Makes at least one more byte available; false at the end of the stream. */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            buf.compact();
            try {
                while (true) {
                    int n = ch.read(buf);
                    if (n > 0) {
                        return true;
                    }
                    if (n < 0) {
                        eof = true;
                        return false;
                    }
                    await(ch, selector, SelectionKey.OP_READ, deadline);
                }
            } finally {
                buf.flip();
            }
        }

        private int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            return buf.get() & 0xff;
        }

        /** A CRLF- (or LF-) terminated line of the head, without its terminator. */
        private String line(int[] budget) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int c = read();
                if (c < 0) {
                    throw new IOException("plugin closed the connection in the middle of the response head");
                }
                if (--budget[0] < 0) {
                    throw new IOException("plugin response head exceeds " + MAX_HEAD_BYTES + " bytes");
                }
                if (c == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                sb.append((char) c);
            }
        }

        Response response() throws IOException {
            int[] budget = {MAX_HEAD_BYTES};
            String statusLine = line(budget);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("plugin answered with a malformed status line: \"" + statusLine + "\"");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("plugin answered with a malformed status line: \"" + statusLine + "\"", e);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(budget); !h.isEmpty(); h = line(budget)) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("plugin answered with a malformed header: \"" + h + "\"");
                }
                headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            byte[] body;
            String te = headers.get("transfer-encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked(budget);
            } else if (headers.containsKey("content-length")) {
                long length;
                try {
                    length = Long.parseLong(headers.get("content-length"));
                } catch (NumberFormatException e) {
                    throw new IOException("plugin answered with a bad Content-Length", e);
                }
                if (length < 0 || length > maxBody) {
                    throw new IOException("plugin response of " + length + " bytes exceeds the limit of " + maxBody);
                }
                body = exactly((int) length);
            } else {
                body = untilEof();
            }
            return new Response(status, headers, body);
        }

        private byte[] exactly(int length) throws IOException {
            byte[] out = new byte[length];
            int off = 0;
            while (off < length) {
                if (!buf.hasRemaining() && !fill()) {
                    throw new IOException("plugin closed the connection after " + off + " of " + length + " bytes");
                }
                int n = Math.min(buf.remaining(), length - off);
                buf.get(out, off, n);
                off += n;
            }
            return out;
        }

        private byte[] untilEof() throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (buf.hasRemaining() || fill()) {
                if (out.size() + buf.remaining() > maxBody) {
                    throw new IOException("plugin response exceeds the limit of " + maxBody + " bytes");
                }
                out.write(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
                buf.position(buf.limit());
            }
            return out.toByteArray();
        }

        private byte[] chunked(int[] headBudget) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                // each framing line gets its own small budget: the body cap bounds the number of chunks
                int[] budget = {1024};
                String sizeLine = line(budget);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("plugin answered with a bad chunk size: \"" + sizeLine + "\"", e);
                }
                if (size < 0 || out.size() + size > maxBody) {
                    throw new IOException("plugin response exceeds the limit of " + maxBody + " bytes");
                }
                if (size == 0) {
                    // trailers, then the empty line
                    while (!line(headBudget).isEmpty()) {
                        // trailers are ignored
                    }
                    return out.toByteArray();
                }
                out.write(exactly((int) size));
                if (!line(budget).isEmpty()) {
                    throw new IOException("plugin answered with a malformed chunk");
                }
            }
        }
    }
}
