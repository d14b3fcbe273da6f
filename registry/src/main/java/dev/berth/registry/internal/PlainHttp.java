package dev.berth.registry.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bodiless GET and HEAD requests to plain-http registries, spoken over a socket of Berth's own instead of
 * the JDK's HTTP client.
 *
 * <p>Why: the JDK client allocates a fresh heap buffer for every socket read and hands it across threads;
 * receiving 100 MiB costs it about three times the CPU curl needs. On a plain-http registry on the same
 * machine or LAN (where the network outruns that) Berth, the registry and the digest compete for the same
 * cores, and a verified fetch took twice curl's time or more. Reading the socket straight into a reused
 * direct buffer on the caller's thread brings it to about 1.6 times (the SHA-256 itself is most of what
 * is left). Over https, and for requests with a body, the JDK client is used as before.
 *
 * <p>What it speaks: HTTP/1.1 with {@code Connection: close} (one request per connection, so nothing of
 * one response can leak into the next), bodies delimited by {@code Content-Length}, chunked or by the
 * close; 1xx responses skipped. The head is parsed strictly ({@link Http1Head}) and capped at
 * {@link #MAX_HEAD} bytes. The same timeouts apply as to the JDK client: connect, response head (the
 * request's timeout), then the idle timeout for each wait for body bytes. An interrupt of the reading
 * thread ends a wait with an {@link InterruptedIOException}.
 */
final class PlainHttp {
    /** The largest response head read. */
    static final int MAX_HEAD = 64 * 1024;
    /** The most 1xx heads skipped before the answer. */
    static final int MAX_INFORMATIONAL = 16;
    /** The buffer each response reads through (at least {@link #MAX_HEAD}). */
    static final int BUFFER_SIZE = 1024 * 1024;
    /** Buffers kept for reuse: allocating and zeroing 1 MiB of native memory per request is not free. */
    private static final BlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(4);

    private PlainHttp() {
    }

    /** Whether {@code request} is one this class sends: GET or HEAD, no body, plain http. */
    static boolean handles(HttpRequest request) {
        String method = request.method();
        return (method.equals("GET") || method.equals("HEAD"))
                && request.uri().getScheme().equalsIgnoreCase("http")
                && request.bodyPublisher().map(p -> p.contentLength() == 0).orElse(true);
    }

    /**
     * Sends {@code request} and returns once the response head is in; the body streams from the response.
     *
     * @param connectTimeout how long connecting may take
     * @param idleTimeout    how long a body read may wait for bytes
     * @param release        run once when the body ends or is closed, or when this fails
     * @throws HttpConnectTimeoutException when connecting timed out
     * @throws HttpTimeoutException        when the head did not arrive within the request's timeout
     * @throws ProtocolException           for a response Berth refuses to interpret
     * @throws IllegalArgumentException    for a header value with a line break (never sent)
     */
    static Response send(HttpRequest request, Duration connectTimeout, Duration idleTimeout, Runnable release)
            throws IOException {
        Objects.requireNonNull(release, "release");
        Connection c = null;
        try {
            byte[] head = requestHead(request);
            c = Connection.open(request.uri(), connectTimeout);
            // the JDK client has no head timeout without one either; a day keeps the arithmetic finite
            long deadline = System.nanoTime() + request.timeout().orElse(Duration.ofDays(1)).toNanos();
            c.writeFully(ByteBuffer.wrap(head), deadline);
            Http1Head response = c.readHead(deadline);
            for (int informational = 0; response.status() < 200; informational++) {
                // a server may send 1xx heads before the answer, but not without end
                if (response.status() == 101) {
                    throw new ProtocolException("unexpected 101 Switching Protocols");
                }
                if (informational >= MAX_INFORMATIONAL) {
                    throw new ProtocolException("more than " + MAX_INFORMATIONAL + " informational responses");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new HttpTimeoutException("response head timed out");
                }
                response = c.readHead(deadline);
            }
            Http1Body body = new Http1Body(c, response.framing(request.method()), response.contentLength(),
                    idleTimeout, release);
            return new Response(response.status(), response.headers(), request.uri(), body);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            release.run();
            throw e;
        }
    }

    /** The request line and header fields, ending with the empty line. */
    static byte[] requestHead(HttpRequest request) {
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder sb = new StringBuilder(256);
        sb.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            sb.append('?').append(uri.getRawQuery());
        }
        sb.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
        if (uri.getPort() != -1 && uri.getPort() != 80) {
            sb.append(':').append(uri.getPort());
        }
        sb.append("\r\n");
        for (Map.Entry<String, List<String>> e : request.headers().map().entrySet()) {
            String name = e.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("connection") || lower.equals("content-length")) {
                continue; // ours
            }
            for (String value : e.getValue()) {
                checkField(name, value);
                sb.append(name).append(": ").append(value).append("\r\n");
            }
        }
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void checkField(String name, String value) {
        for (int i = 0; i < name.length(); i++) {
            if (!Http1Head.isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("invalid header name: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // a CR or LF would end the field and let a value (a token a server handed out) add headers
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new IllegalArgumentException("invalid character in the value of header " + name);
            }
        }
    }

    /**
     * One connection and the buffer its response is read through. The buffer is kept in read mode: the
     * bytes between its position and limit have been received and not yet consumed.
     */
    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private ByteBuffer buffer;
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile boolean closed;

        private Connection(SocketChannel channel, Selector selector, ByteBuffer buffer) {
            this.channel = channel;
            this.selector = selector;
            this.buffer = buffer;
        }

        static Connection open(URI uri, Duration connectTimeout) throws IOException {
            String host = uri.getHost();
            if (host == null) {
                throw new IOException("no host in " + Urls.redact(uri));
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            InetSocketAddress address = new InetSocketAddress(host, uri.getPort() == -1 ? 80 : uri.getPort());
            if (address.isUnresolved()) {
                throw new java.net.UnknownHostException(host);
            }
            SocketChannel channel = SocketChannel.open();
            Selector selector = null;
            ByteBuffer buffer = null;
            try {
                channel.configureBlocking(false);
                selector = Selector.open();
                buffer = POOL.poll();
                if (buffer == null) {
                    buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
                }
                buffer.clear().flip();
                Connection c = new Connection(channel, selector, buffer);
                if (!channel.connect(address)) {
                    SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
                    long deadline = System.nanoTime() + connectTimeout.toNanos();
                    while (!channel.finishConnect()) {
                        if (!c.await(key, deadline)) {
                            // the catch below closes the socket and hands the buffer back, once
                            throw new HttpConnectTimeoutException("connect timed out: " + Urls.redact(uri));
                        }
                    }
                    key.interestOps(0);
                }
                return c;
            } catch (IOException | RuntimeException e) {
                channel.close();
                if (selector != null) {
                    selector.close();
                }
                if (buffer != null) {
                    POOL.offer(buffer.clear());
                }
                throw e;
            }
        }

        void writeFully(ByteBuffer bytes, long deadline) throws IOException {
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) == 0 && !await(SelectionKey.OP_WRITE, deadline)) {
                    throw new HttpTimeoutException("request timed out");
                }
            }
        }

        /** Reads a response head; the bytes after it stay in the buffer. */
        Http1Head readHead(long deadline) throws IOException {
            int scanned = 0;
            while (true) {
                ByteBuffer b = buffer;
                int end = indexOfEmptyLine(b, scanned);
                if (end >= 0) {
                    byte[] head = new byte[end - b.position()];
                    b.get(head);
                    b.position(b.position() + 4);
                    return Http1Head.parse(head, head.length);
                }
                scanned = Math.max(0, b.remaining() - 3);
                if (b.remaining() >= MAX_HEAD) {
                    throw new ProtocolException("response head larger than " + MAX_HEAD + " bytes");
                }
                if (fill(deadline, "response head timed out") < 0) {
                    throw new ProtocolException(b.remaining() == 0 ? "connection closed without a response"
                            : "connection closed inside the response head");
                }
            }
        }

        /** The absolute index of the CR of the first CRLFCRLF after {@code from} unread bytes, or -1. */
        private static int indexOfEmptyLine(ByteBuffer b, int from) {
            int limit = Math.min(b.limit(), b.position() + MAX_HEAD);
            for (int i = b.position() + from; i + 3 < limit; i++) {
                if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /** The received, unconsumed bytes (read mode). */
        ByteBuffer buffer() throws IOException {
            ByteBuffer b = buffer;
            if (b == null) {
                throw new IOException("body stream closed");
            }
            return b;
        }

        /**
         * Receives more bytes after those unconsumed, waiting until {@code deadline} (a
         * {@link System#nanoTime()} value).
         *
         * @return the number of bytes received, or -1 at the end of the stream
         * @throws HttpTimeoutException with {@code timeoutMessage} when nothing arrived in time
         */
        int fill(long deadline, String timeoutMessage) throws IOException {
            ByteBuffer b = buffer();
            b.compact();
            try {
                while (true) {
                    int n = channel.read(b);
                    if (n != 0) {
                        return n;
                    }
                    if (!b.hasRemaining()) {
                        throw new IllegalStateException("fill with a full buffer");
                    }
                    if (!await(SelectionKey.OP_READ, deadline)) {
                        throw new HttpTimeoutException(timeoutMessage);
                    }
                }
            } finally {
                b.flip();
            }
        }

        private boolean await(int ops, long deadline) throws IOException {
            SelectionKey key = channel.keyFor(selector);
            if (key == null) {
                key = channel.register(selector, ops);
            } else {
                key.interestOps(ops);
            }
            return await(key, deadline);
        }

        /** Waits for the key's channel to be ready; false when the deadline passed first. */
        private boolean await(SelectionKey key, long deadline) throws IOException {
            while (true) {
                if (closed) {
                    throw new IOException("body stream closed");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                int ready = selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting for the registry");
                }
                if (ready > 0 && key.isValid()) {
                    return true;
                }
            }
        }

        /** Closes the socket (failing a read that waits) and hands the buffer back. Idempotent. */
        @Override
        public void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing left to release
            }
            selector.wakeup();
            // the reader holds this monitor while it uses the buffer; take it to hand the buffer back
            synchronized (this) {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // as above
                }
                ByteBuffer b = buffer;
                buffer = null;
                if (b != null) {
                    POOL.offer(b.clear());
                }
            }
        }
    }
}
