package dev.berth.testkit.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A small HTTP/1.1 server on 127.0.0.1 written on plain sockets, so tests control every byte: headers
 * exactly as given, bodies cut at any byte, connections reset. Keep-alive, Content-Length and chunked
 * request bodies are supported; that is all. Every request is recorded. {@link #close()} stops the
 * server, closes every connection and interrupts handlers that still run.
 */
public class TestHttpServer implements AutoCloseable {
    /** Handles one request. */
    @FunctionalInterface
    public interface Handler {
        /** Answers the exchange; must call one of its respond methods or {@link Exchange#reset()}. */
        void handle(Exchange exchange) throws IOException;
    }

    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 256 << 20;

    private final ServerSocket serverSocket;
    private final ExecutorService pool;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Handler handler;
    private volatile boolean recordBodies = true;
    /** Clients speak TLS; null for plain http. */
    private final SSLContext tls;

    /** Starts a server on a free loopback port. */
    public TestHttpServer(Handler handler) {
        this(handler, null);
    }

    /**
     * Starts a server on a free loopback port that clients reach over TLS, presenting {@code tls}'s
     * certificate ({@link SelfSignedTls#serverContext()}); plain http when {@code tls} is null.
     */
    public TestHttpServer(Handler handler, SSLContext tls) {
        this.tls = tls;
        this.handler = Objects.requireNonNull(handler, "handler");
        try {
            serverSocket = new ServerSocket();
            serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind 127.0.0.1", e);
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http-" + serverSocket.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        pool.execute(this::acceptLoop);
    }

    /** Replaces the handler. */
    public void handler(Handler value) {
        this.handler = Objects.requireNonNull(value, "handler");
    }

    /** Whether request bodies are kept in the record (off for large uploads). */
    public void recordBodies(boolean value) {
        this.recordBodies = value;
    }

    /** The port. */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String host() {
        return "127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:port}, or {@code https://} for a TLS server. */
    public URI uri() {
        return URI.create((tls == null ? "http://" : "https://") + host());
    }

    /** Every request received so far, in order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket s = serverSocket.accept();
                sockets.add(s);
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void serve(Socket raw) {
        try (raw; Socket socket = tls == null ? raw : SelfSignedTls.serverSide(tls, raw)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            in.mark(1);
            if (tls == null && in.read() == 0x16) {
                // a TLS ClientHello on a plain port: answer as Go's server does, so clients fall back fast
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return;
            }
            in.reset();
            while (true) {
                Exchange ex = readRequest(socket, in, out);
                if (ex == null) {
                    return;
                }
                requests.add(new RecordedRequest(ex.method, ex.target, ex.headers,
                        recordBodies ? ex.body : new byte[0]));
                try {
                    handler.handle(ex);
                } catch (RuntimeException e) {
                    if (!ex.responded) {
                        ex.respond(500, Map.of(), e.toString().getBytes(StandardCharsets.UTF_8));
                    }
                }
                out.flush();
                if (ex.closeAfter || !ex.responded) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away, or a fault closed the connection
        } finally {
            sockets.remove(raw);
        }
    }

    private Exchange readRequest(Socket socket, InputStream in, OutputStream out) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            return null;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int total = 0;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                return null;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        byte[] body = new byte[0];
        List<String> te = headers.getOrDefault("transfer-encoding", List.of());
        List<String> cl = headers.getOrDefault("content-length", List.of());
        if (!te.isEmpty() && te.get(0).equalsIgnoreCase("chunked")) {
            body = readChunked(in);
        } else if (!cl.isEmpty()) {
            long n = Long.parseLong(cl.get(0));
            if (n > MAX_BODY_BYTES) {
                return null;
            }
            body = in.readNBytes((int) n);
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        headers.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Exchange(socket, out, parts[0], parts[1], Collections.unmodifiableMap(frozen), body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("chunked body ended early");
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                String l;
                while ((l = readLine(in)) != null && !l.isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY_BYTES) {
                throw new IOException("request body too large");
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > MAX_HEADER_BYTES) {
                throw new IOException("header line too long");
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test server threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request and the means to answer it. */
    public static final class Exchange {
        private final Socket socket;
        private final OutputStream out;
        private final String method;
        private final String target;
        private final Map<String, List<String>> headers;
        private final byte[] body;
        private boolean responded;
        private boolean closeAfter;

        Exchange(Socket socket, OutputStream out, String method, String target, Map<String, List<String>> headers,
                 byte[] body) {
            this.socket = socket;
            this.out = out;
            this.method = method;
            this.target = target;
            this.headers = headers;
            this.body = body;
        }

        /** The method. */
        public String method() {
            return method;
        }

        /** The request target: path and query. */
        public String target() {
            return target;
        }

        /** The path, without query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /** A query parameter (first value, decoded), or null. */
        public String query(String name) {
            int q = target.indexOf('?');
            if (q < 0) {
                return null;
            }
            for (String kv : target.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                if (k.equals(name)) {
                    return java.net.URLDecoder.decode(eq < 0 ? "" : kv.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** A header's first value, or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** All values of a header. */
        public List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The request body. */
        public byte[] body() {
            return body;
        }

        /** Answers with a full body (none for HEAD, though Content-Length stays). */
        public void respond(int status, Map<String, String> extraHeaders, byte[] content) throws IOException {
            writeHead(status, extraHeaders, content.length, false);
            if (!method.equals("HEAD")) {
                out.write(content);
            }
            out.flush();
        }

        /**
         * Writes the status line and headers, with {@code Content-Length: length} or, when
         * {@code chunked}, {@code Transfer-Encoding: chunked}. The caller writes the body through
         * {@link #body(byte[], int, int)} or {@link #rawOut()}.
         */
        public void writeHead(int status, Map<String, String> extraHeaders, long length, boolean chunked)
                throws IOException {
            responded = true;
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                    .append("\r\n");
            extraHeaders.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            if (chunked) {
                sb.append("Transfer-Encoding: chunked\r\n");
            } else if (!extraHeaders.containsKey("Content-Length")) {
                sb.append("Content-Length: ").append(length).append("\r\n");
            }
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Writes body bytes. */
        public void body(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        /** The raw socket stream, for chunked or trickled bodies. */
        public OutputStream rawOut() {
            return out;
        }

        /** Closes the connection after this response (or now, mid-body: the client sees it cut). */
        public void closeConnection() throws IOException {
            closeAfter = true;
            out.flush();
            socket.close();
        }

        /** Resets the connection (RST): the harshest way to drop a peer. */
        public void reset() throws IOException {
            responded = true;
            closeAfter = true;
            try {
                out.flush();
                socket.setSoLinger(true, 0);
            } catch (SocketException e) {
                // already gone
            }
            socket.close();
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 201 -> "Created";
                case 202 -> "Accepted";
                case 204 -> "No Content";
                case 206 -> "Partial Content";
                case 301 -> "Moved Permanently";
                case 302 -> "Found";
                case 303 -> "See Other";
                case 307 -> "Temporary Redirect";
                case 308 -> "Permanent Redirect";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 416 -> "Range Not Satisfiable";
                case 429 -> "Too Many Requests";
                case 500 -> "Internal Server Error";
                case 503 -> "Service Unavailable";
                default -> "Status";
            };
        }
    }
}
