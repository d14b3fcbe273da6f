package dev.berth.testkit.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A hostile network between a client and a registry, for tests: an HTTP/1.1-aware proxy on 127.0.0.1
 * that relays every exchange to the registry at {@code upstream} byte for byte (keep-alive, Content-Length
 * and chunked bodies in both directions) unless a scripted {@link Rule} matches the request, in which case
 * it applies the rule's {@link ProxyFault}: reset or truncate after some bytes, stall, drip slowly,
 * duplicate or reorder payload bytes, answer a status itself (5xx and 429 bursts with {@code Retry-After}),
 * shift a {@code Content-Range}, or run an action (such as {@link RealRegistry#restart()}) first.
 *
 * <p>Put it in front of a plain-http registry ({@link RealRegistry#plain}, {@link RealRegistry#htpasswd},
 * {@link RealRegistry#token}). Clients speak plain http to it, or TLS when it was started with
 * {@link #tls(RealRegistry, SelfSignedTls)}: it then terminates TLS with that certificate and relays plain
 * http to the registry, adding {@code X-Forwarded-Proto: https} as a TLS-terminating reverse proxy does
 * (so the registry's upload {@code Location}s say https). Over TLS a {@link ProxyFault.Reset} resets the TCP connection and a
 * {@link ProxyFault.Truncate} ends it without TLS's {@code close_notify}, as a network (or an attacker)
 * cutting the connection does. The {@code Host} header is forwarded as the client sent it, so the
 * registry's upload {@code Location}s point back at the proxy. The token server of a token registry is not
 * proxied: its realm is reached directly.
 *
 * <p>Rules match on method and a regular expression over the whole path (no query), and apply to the
 * next {@code times} matching requests; the first rule with matches left wins. Every request is
 * recorded ({@link #exchanges()}), so tests count what a client retried. If the registry cannot be reached
 * (being restarted), the proxy answers 502, as a real reverse proxy does. Each client connection gets a
 * fresh registry connection per request, so a restarted registry is picked up at once. {@link #close()}
 * stops the proxy and closes every connection.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int UPSTREAM_TIMEOUT_MS = 30_000;

    private final String upstreamHost;
    private final int upstreamPort;
    /** Clients speak TLS to the proxy; null for plain http. */
    private final SSLContext tls;
    private final ServerSocket serverSocket;
    private final ExecutorService pool;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * One request the proxy received.
     *
     * @param method the method
     * @param target the request target as sent (path and query)
     * @param ranged whether it carried a {@code Range} header
     * @param fault  the fault applied to it, or empty when it was relayed faithfully
     */
    public record Exchange(String method, String target, boolean ranged, Optional<ProxyFault> fault) {
        /** The target without its query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    /** A scripted fault for the next {@link #times()} requests that match; see {@link FaultProxy#on}. */
    public static final class Rule {
        private final String method;
        private final Pattern path;
        private final boolean rangedOnly;
        private final ProxyFault fault;
        private final int times;
        private final AtomicInteger left;

        private Rule(String method, Pattern path, boolean rangedOnly, ProxyFault fault, int times) {
            this.method = method;
            this.path = path;
            this.rangedOnly = rangedOnly;
            this.fault = fault;
            this.times = times;
            this.left = new AtomicInteger(times);
        }

        /** How many matches the rule was installed for. */
        public int times() {
            return times;
        }

        /** How many matching requests it has been applied to so far. */
        public int hits() {
            return times - Math.max(0, left.get());
        }

        boolean take(String m, String p, boolean ranged) {
            if (!method.equals(m) || (rangedOnly && !ranged) || !path.matcher(p).matches()) {
                return false;
            }
            return left.getAndDecrement() > 0;
        }
    }

    /** Builds a {@link Rule}; {@link #apply} installs it. */
    public final class RuleBuilder {
        private final String method;
        private final Pattern path;
        private boolean rangedOnly;
        private int times = 1;

        private RuleBuilder(String method, Pattern path) {
            this.method = method;
            this.path = path;
        }

        /** Only requests with a {@code Range} header match. @return this */
        public RuleBuilder ranged() {
            rangedOnly = true;
            return this;
        }

        /** The number of matching requests the fault applies to (1 unless set). @return this */
        public RuleBuilder times(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("times must be at least 1: " + value);
            }
            times = value;
            return this;
        }

        /** Installs the rule after those already installed. @return the rule, to read its hits */
        public Rule apply(ProxyFault fault) {
            Rule r = new Rule(method, path, rangedOnly, Objects.requireNonNull(fault, "fault"), times);
            rules.add(r);
            return r;
        }
    }

    private FaultProxy(String host, int port, SSLContext tls) throws IOException {
        this.upstreamHost = host;
        this.upstreamPort = port;
        this.tls = tls;
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.execute(this::acceptLoop);
    }

    /**
     * Starts a proxy in front of a plain-http registry.
     *
     * @param upstream {@code host:port} of the registry, a loopback address
     * @throws IllegalArgumentException for a host that is not loopback
     */
    public static FaultProxy start(String upstream) throws IOException {
        return start(upstream, null);
    }

    private static FaultProxy start(String upstream, SSLContext tls) throws IOException {
        URI u = URI.create("http://" + Objects.requireNonNull(upstream, "upstream"));
        if (u.getHost() == null || u.getPort() < 0) {
            throw new IllegalArgumentException("not host:port: " + upstream);
        }
        if (!InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
            throw new IllegalArgumentException("the fault proxy only talks to loopback: " + upstream);
        }
        return new FaultProxy(u.getHost(), u.getPort(), tls);
    }

    /** Starts a proxy in front of {@code registry}, which must not be a {@link RealRegistry#tls} one. */
    public static FaultProxy in(RealRegistry registry) throws IOException {
        return start(plainHost(registry));
    }

    /**
     * Starts a proxy that clients reach over TLS, presenting {@code certificate} (clients that check it
     * use {@link SelfSignedTls#clientContext()}), in front of {@code registry}, which speaks plain http.
     */
    public static FaultProxy tls(RealRegistry registry, SelfSignedTls certificate) throws IOException {
        return startTls(plainHost(registry), certificate);
    }

    /** {@link #tls(RealRegistry, SelfSignedTls)} in front of the plain-http server at {@code upstream} ({@code host:port}, loopback). */
    public static FaultProxy startTls(String upstream, SelfSignedTls certificate) throws IOException {
        return start(upstream, Objects.requireNonNull(certificate, "certificate").serverContext());
    }

    private static String plainHost(RealRegistry registry) {
        if (registry.uri().getScheme().equals("https")) {
            throw new IllegalArgumentException("the fault proxy relays plain http to the registry");
        }
        return registry.host();
    }

    /** {@code 127.0.0.1:port} of the proxy. */
    public String host() {
        return "127.0.0.1:" + serverSocket.getLocalPort();
    }

    /** {@code http://127.0.0.1:port}, or {@code https://} when clients speak TLS to it. */
    public URI uri() {
        return URI.create((tls == null ? "http://" : "https://") + host());
    }

    /**
     * Starts a rule for requests with {@code method} whose path matches {@code pathRegex} as a whole.
     *
     * @param method    {@code GET}, {@code HEAD}, {@code PUT}, ...
     * @param pathRegex a {@link Pattern} for the path without the query
     */
    public RuleBuilder on(String method, String pathRegex) {
        return new RuleBuilder(Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT),
                Pattern.compile(pathRegex));
    }

    /** Removes every rule. */
    public void clearRules() {
        rules.clear();
    }

    /** Every request received so far, in order. */
    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** How many requests with {@code method} whose path matches {@code pathRegex} were received. */
    public long count(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return exchanges.stream().filter(e -> e.method().equals(method) && p.matcher(e.path()).matches()).count();
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(s);
            try {
                pool.execute(() -> serve(s));
            } catch (RuntimeException e) {
                closeQuietly(s); // the pool is shutting down
                sockets.remove(s);
            }
        }
    }

    private void serve(Socket raw) {
        try (raw; Socket client = tls == null ? raw : SelfSignedTls.serverSide(tls, raw)) {
            raw.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            while (!closed) {
                in.mark(1);
                if (tls == null && in.read() == 0x16) {
                    // a TLS handshake to a plain-http port: answer as the registry does, so the client's
                    // https probe fails at once instead of waiting for a head that never comes
                    write(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                in.reset();
                Head request = Head.read(in);
                if (request == null) {
                    return;
                }
                if (!exchange(raw, client, request, in, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client or the registry went away; so does this connection
        } finally {
            sockets.remove(raw);
        }
    }

    /**
     * One exchange; whether the client connection may carry another. {@code raw} is the TCP connection,
     * {@code client} what the client speaks on it (the same socket, or TLS over it).
     */
    private boolean exchange(Socket raw, Socket client, Head request, InputStream in, OutputStream out) throws IOException {
        String[] line = request.first.split(" ", 3);
        if (line.length != 3) {
            write(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return false;
        }
        String method = line[0];
        String target = line[1];
        boolean ranged = request.header("Range").isPresent();
        String path = target.indexOf('?') < 0 ? target : target.substring(0, target.indexOf('?'));
        Rule rule = null;
        for (Rule r : rules) {
            if (r.take(method, path, ranged)) {
                rule = r;
                break;
            }
        }
        ProxyFault fault = rule == null ? null : rule.fault;
        exchanges.add(new Exchange(method, target, ranged, Optional.ofNullable(fault)));
        boolean keepAlive = !request.hasToken("Connection", "close");
        if (request.hasToken("Expect", "100-continue")) {
            // answered here: the registry never sees the Expect, so its 100 cannot race our relaying
            request.remove("Expect");
            write(out, "HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (fault instanceof ProxyFault.Status st) {
            Framing.of(request, false).drain(in);
            byte[] body = st.body().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + st.status() + " Fault\r\n");
            st.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return keepAlive;
        }
        if (fault instanceof ProxyFault.BeforeForward bf) {
            try {
                bf.action().run();
            } catch (Exception e) {
                Framing.of(request, false).drain(in);
                return badGateway(out, keepAlive);
            }
        }
        Socket up = new Socket();
        try (up) {
            try {
                up.connect(new InetSocketAddress(upstreamHost, upstreamPort), 2_000);
            } catch (IOException e) {
                Framing.of(request, false).drain(in);
                return badGateway(out, keepAlive);
            }
            sockets.add(up);
            up.setSoTimeout(UPSTREAM_TIMEOUT_MS);
            up.setTcpNoDelay(true);
            OutputStream upOut = up.getOutputStream();
            InputStream upIn = new BufferedInputStream(up.getInputStream());
            if (tls != null) {
                // as a TLS-terminating reverse proxy tells distribution, so its upload Locations say https
                request.set("X-Forwarded-Proto", "https");
            }
            upOut.write(request.bytes());
            Framing.of(request, false).relay(in, upOut);
            upOut.flush();
            Head first = Head.read(upIn);
            while (first != null && first.status() / 100 == 1) {
                out.write(first.bytes()); // interim answers go on as they are
                first = Head.read(upIn);
            }
            if (first == null) {
                throw new EOFException("the registry closed without answering");
            }
            Head response = first;
            boolean bodiless = method.equals("HEAD") || response.status() == 204 || response.status() == 304;
            Framing framing = Framing.of(response, bodiless);
            boolean keep = keepAlive && framing.kind != Framing.Kind.UNTIL_CLOSE
                    && !response.hasToken("Connection", "close");
            if (fault == null || fault instanceof ProxyFault.BeforeForward) {
                out.write(response.bytes());
                framing.relay(upIn, out);
                out.flush();
                return keep;
            }
            if (fault instanceof ProxyFault.ShiftContentRange shift) {
                if (response.status() == 206) {
                    response.header("Content-Range").ifPresent(v -> response.set("Content-Range", shifted(v, shift.delta())));
                }
                out.write(response.bytes());
                framing.relay(upIn, out);
                out.flush();
                return keep;
            }
            return bodyFault(raw, client, fault, response, framing, upIn, out, keep);
        } finally {
            sockets.remove(up);
        }
    }

    private boolean bodyFault(Socket raw, Socket client, ProxyFault fault, Head response, Framing framing,
                              InputStream upIn, OutputStream out, boolean keep) throws IOException {
        InputStream payload = framing.decode(upIn);
        if (framing.kind == Framing.Kind.CHUNKED) {
            // the payload goes on unframed: the end of the answer is the end of the connection
            response.remove("Transfer-Encoding");
            response.set("Connection", "close");
            keep = false;
        }
        if (fault instanceof ProxyFault.Reset r) {
            if (r.bodyBytes() >= 0) {
                out.write(response.bytes());
                copy(payload, out, r.bodyBytes());
                out.flush();
            }
            raw.setSoLinger(true, 0);
            raw.close(); // RST, and over TLS no close_notify before it
            return false;
        }
        out.write(response.bytes());
        if (fault instanceof ProxyFault.Truncate t) {
            copy(payload, out, t.bodyBytes());
            out.flush();
            raw.shutdownOutput(); // FIN, and over TLS no close_notify before it
            return false;
        }
        if (fault instanceof ProxyFault.Stall s) {
            copy(payload, out, s.bodyBytes());
            out.flush();
            // hold the connection: return when the client gives up (or the proxy closes it)
            InputStream clientIn = client.getInputStream();
            while (!closed && clientIn.read() >= 0) {
                // a client does not pipeline behind an unanswered request; drop what comes
            }
            return false;
        }
        if (fault instanceof ProxyFault.Drip d) {
            long slice = Math.max(1, d.bytesPerSecond() / 20);
            byte[] buf = new byte[(int) Math.min(slice, 1 << 16)];
            int n;
            out.flush();
            while ((n = payload.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
                sleep(n * 1000L / d.bytesPerSecond());
            }
            return keep;
        }
        if (fault instanceof ProxyFault.Duplicate dup) {
            long written = copy(payload, out, dup.offset());
            byte[] twice = payload.readNBytes(dup.length());
            out.write(twice);
            written += twice.length;
            long total = framing.length >= 0 ? framing.length : Long.MAX_VALUE;
            long room = total - written;
            if (room > 0) {
                out.write(twice, 0, (int) Math.min(room, twice.length));
                written += Math.min(room, twice.length);
            }
            copy(payload, out, Math.max(0, total - written));
            out.flush();
            payload.transferTo(OutputStream.nullOutputStream());
            return keep;
        }
        if (fault instanceof ProxyFault.Reorder ro) {
            copy(payload, out, ro.offset());
            byte[] first = payload.readNBytes(ro.length());
            byte[] second = payload.readNBytes(ro.length());
            out.write(second);
            out.write(first);
            payload.transferTo(out);
            out.flush();
            return keep;
        }
        throw new IllegalStateException("unhandled fault " + fault);
    }

    private static String shifted(String contentRange, long delta) {
        // "bytes first-last/size"
        String s = contentRange.trim();
        int dash = s.indexOf('-');
        int slash = s.indexOf('/');
        if (!s.startsWith("bytes ") || dash < 0 || slash < dash) {
            return contentRange;
        }
        try {
            long first = Long.parseLong(s.substring(6, dash).trim()) + delta;
            long last = Long.parseLong(s.substring(dash + 1, slash).trim()) + delta;
            return "bytes " + first + "-" + last + s.substring(slash);
        } catch (NumberFormatException e) {
            return contentRange;
        }
    }

    private static boolean badGateway(OutputStream out, boolean keepAlive) throws IOException {
        write(out, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return keepAlive;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Copies up to {@code limit} bytes; returns how many. */
    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - done));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            done += n;
        }
        return done;
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("proxy stopping");
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** A request or response head: the first line and the header lines, editable. */
    private static final class Head {
        private final String first;
        private final List<String[]> headers;

        private Head(String first, List<String[]> headers) {
            this.first = first;
            this.headers = headers;
        }

        /** The next head, or null at a clean end of stream before its first byte. */
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int last4 = 0;
            while (last4 != 0x0D0A0D0A) {
                int b = in.read();
                if (b < 0) {
                    if (buf.size() == 0) {
                        return null;
                    }
                    throw new EOFException("connection closed inside a head");
                }
                buf.write(b);
                if (buf.size() > MAX_HEAD_BYTES) {
                    throw new IOException("head larger than " + MAX_HEAD_BYTES + " bytes");
                }
                last4 = (last4 << 8) | b;
            }
            String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
                }
            }
            return new Head(lines[0], headers);
        }

        int status() {
            String[] parts = first.split(" ", 3);
            try {
                return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
        }

        boolean hasToken(String name, String token) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name))
                    .flatMap(h -> java.util.Arrays.stream(h[1].split(",")))
                    .anyMatch(t -> t.trim().equalsIgnoreCase(token));
        }

        void remove(String name) {
            headers.removeIf(h -> h[0].equalsIgnoreCase(name));
        }

        void set(String name, String value) {
            remove(name);
            headers.add(new String[] {name, value});
        }

        byte[] bytes() {
            StringBuilder sb = new StringBuilder(first).append("\r\n");
            for (String[] h : headers) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** How a message body is delimited, and the relaying and decoding that follow from it. */
    private static final class Framing {
        enum Kind { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

        final Kind kind;
        final long length;

        private Framing(Kind kind, long length) {
            this.kind = kind;
            this.length = length;
        }

        /** A request has a body only when it says so; a response without framing runs to the close. */
        static Framing of(Head head, boolean bodiless) throws IOException {
            if (bodiless) {
                return new Framing(Kind.NONE, 0);
            }
            if (head.hasToken("Transfer-Encoding", "chunked")) {
                return new Framing(Kind.CHUNKED, -1);
            }
            Optional<String> cl = head.header("Content-Length");
            if (cl.isPresent()) {
                try {
                    long n = Long.parseLong(cl.get().trim());
                    if (n < 0) {
                        throw new IOException("negative Content-Length");
                    }
                    return new Framing(Kind.LENGTH, n);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + cl.get());
                }
            }
            boolean response = head.first.startsWith("HTTP/");
            return response ? new Framing(Kind.UNTIL_CLOSE, -1) : new Framing(Kind.NONE, 0);
        }

        /** Copies the body as it is on the wire, framing included. */
        void relay(InputStream in, OutputStream out) throws IOException {
            switch (kind) {
                case NONE -> { }
                case LENGTH -> {
                    if (copy(in, out, length) != length) {
                        throw new EOFException("body ended early");
                    }
                }
                case UNTIL_CLOSE -> in.transferTo(out);
                case CHUNKED -> {
                    while (true) {
                        String sizeLine = line(in);
                        out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        long size = chunkSize(sizeLine);
                        if (size == 0) {
                            String trailer;
                            do {
                                trailer = line(in);
                                out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            } while (!trailer.isEmpty());
                            return;
                        }
                        if (copy(in, out, size) != size) {
                            throw new EOFException("chunk ended early");
                        }
                        if (!line(in).isEmpty()) {
                            throw new IOException("no CRLF after a chunk");
                        }
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        void drain(InputStream in) throws IOException {
            relay(in, OutputStream.nullOutputStream());
        }

        /** The payload: framing removed, ending where the body ends. */
        InputStream decode(InputStream in) {
            return new InputStream() {
                private long left = kind == Kind.LENGTH ? length : kind == Kind.NONE ? 0 : -1;
                private boolean done = kind == Kind.NONE;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (done || len == 0) {
                        return done ? -1 : 0;
                    }
                    if (kind == Kind.CHUNKED && left <= 0) {
                        if (left == 0 && !line(in).isEmpty()) {
                            throw new IOException("no CRLF after a chunk");
                        }
                        left = chunkSize(line(in));
                        if (left == 0) {
                            while (!line(in).isEmpty()) {
                                // trailers
                            }
                            done = true;
                            return -1;
                        }
                    }
                    int want = kind == Kind.UNTIL_CLOSE ? len : (int) Math.min(len, left);
                    if (kind == Kind.LENGTH && left == 0) {
                        done = true;
                        return -1;
                    }
                    int n = in.read(b, off, want);
                    if (n < 0) {
                        if (kind == Kind.UNTIL_CLOSE) {
                            done = true;
                            return -1;
                        }
                        throw new EOFException("body ended early");
                    }
                    if (kind != Kind.UNTIL_CLOSE) {
                        left -= n;
                    }
                    return n;
                }
            };
        }

        private static long chunkSize(String line) throws IOException {
            int semi = line.indexOf(';');
            try {
                return Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + line);
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String s = buf.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buf.write(b);
                if (buf.size() > MAX_HEAD_BYTES) {
                    throw new IOException("line too long");
                }
            }
            throw new EOFException("connection closed inside a line");
        }
    }
}
