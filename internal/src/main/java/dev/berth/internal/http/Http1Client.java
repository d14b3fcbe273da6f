package dev.berth.internal.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * Berth's one HTTP/1.1 client: every registry, token-server and plugin request goes through it, over plain
 * http, https and unix sockets, on the caller's thread.
 *
 * <p>Why not the JDK's {@code java.net.http} client, which Berth used for everything but plain-http GETs
 * before: it allocates a fresh heap buffer for every socket read and every TLS record and hands them
 * across threads (a cold 110 MB https GET took 1.5–2.3 s there, curl 0.3–0.4 s; 56 % of its worker's
 * samples were buffer allocation), and its selector thread sits in native code, which made every command
 * that had used it wait ~0.3 s at JVM exit. Here the socket is read straight into a reused buffer, TLS
 * records are decrypted by an {@link SSLEngine} into that same buffer, and no thread is started.
 *
 * <p>Plugins: {@link Dialer#unix} sends every request of an exchange to a plugin's unix socket, one
 * connection per exchange ({@code Connection: close}, never pooled), with one deadline over the whole
 * exchange ({@link Dialer#total()}), so a plugin that trickles its answer cannot hold the caller.
 *
 * <p>What it speaks: HTTP/1.1 with persistent connections: a connection goes back to an idle pool only
 * when its response was read exactly to the end its framing declares, with no byte beyond it, from a
 * server that allows it ({@link Http1Head#reusable}), so nothing of one response can leak into the next;
 * a bodiless request takes an idle connection (checked for a close or stray bytes first, and sent again
 * on a fresh one if the server had closed it before answering). Idle connections are closed after
 * {@link #MAX_IDLE}; the pool holds at most {@link #MAX_IDLE_CONNECTIONS} and has no thread. Request
 * bodies have a known length ({@link StreamBody}); response
 * bodies delimited by {@code Content-Length}, chunked or by the close; 1xx responses skipped. The head is
 * parsed strictly ({@link Http1Head}) and capped at {@link #MAX_HEAD} bytes. https verifies the server's
 * certificate chain and host name with the JDK's trust store (or the context the caller gives) and sends
 * SNI, unless the request is to an insecure registry. HTTP proxies come from {@link ProxySelector#getDefault()}
 * (the JDK's {@code http.proxyHost}, {@code https.proxyHost}, {@code http.nonProxyHosts} properties):
 * plain http through one in absolute form, https through a {@code CONNECT} tunnel.
 *
 * <p>Timeouts: connect; the response head (the request's timeout, counted once the request body is sent);
 * then the idle timeout for each wait for body bytes and for each write of request body bytes. An
 * interrupt of the sending or reading thread ends a wait with an {@link InterruptedIOException}.
 */
public final class Http1Client {
    /** The largest response head read. */
    static final int MAX_HEAD = 64 * 1024;
    /** The most 1xx heads skipped before the answer. */
    static final int MAX_INFORMATIONAL = 16;
    /** The buffer each response reads through (at least {@link #MAX_HEAD}). */
    static final int BUFFER_SIZE = 1024 * 1024;
    /**
     * The longest a TLS handshake may take (at most the request's timeout), as Go's default transport and
     * so Docker: a server that does not speak TLS and never answers (a plain-http registry probed over
     * https) must fail fast, as a TLS failure, so an insecure registry falls back to http.
     */
    static final Duration TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** How long an idle connection is kept (servers close theirs after a minute or more). */
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    /** The most idle connections kept, over all origins. */
    static final int MAX_IDLE_CONNECTIONS = 16;
    private static final IdlePool IDLE = new IdlePool();
    /** Encrypted bytes read or written per socket call over TLS. */
    static final int TLS_NET_BUFFER = 256 * 1024;
    /**
     * Buffers kept for reuse: allocating and zeroing 1 MiB per request is not free. Plain connections read
     * into direct memory (no copy in the socket layer); TLS ones decrypt into heap arrays, which the
     * JDK's AES-GCM works on without copying.
     */
    private static final BlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(4);
    private static final BlockingQueue<ByteBuffer> HEAP_POOL = new ArrayBlockingQueue<>(4);

    private Http1Client() {
    }

    /**
     * One request as it goes on the wire.
     *
     * @param method  the method
     * @param uri     an absolute http or https URI
     * @param headers header fields, name then value (Host, Connection, Content-Length and
     *                Transfer-Encoding are the client's own and skipped)
     * @param body    the body, sent with its {@code Content-Length}; POST, PUT and PATCH without one
     *                send {@code Content-Length: 0}
     * @param timeout how long to wait for the response head once the request is sent
     * @param skipTlsChecks whether https accepts any certificate for any host name (an insecure registry)
     */
    public record Exchange(String method, URI uri, List<String[]> headers, Optional<StreamBody> body, Duration timeout,
                    boolean skipTlsChecks) {
        /** Copies. */
        public Exchange {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(uri, "uri");
            headers = List.copyOf(headers);
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(timeout, "timeout");
        }

        /** A bodiless GET, verifying TLS. */
        public static Exchange get(URI uri, Duration timeout) {
            return new Exchange("GET", uri, List.of(), Optional.empty(), timeout, false);
        }
    }

    /**
     * How connections are made.
     *
     * @param connectTimeout how long connecting (TCP) may take
     * @param idleTimeout    how long a body read or write may wait for the peer
     * @param tls            the TLS context for https, asked for on the first https request
     * @param insecureTls    the context for {@link Exchange#skipTlsChecks()}, asked for on first use
     * @param proxies        where proxies come from, asked per request
     * @param unixSocket     the unix socket every request goes to whatever its URI's host (a plugin's),
     *                       or empty for TCP to the URI's host
     * @param total          how long one exchange may take from the start of connecting to the end of its
     *                       body, over all the waits above, or empty for no such bound
     */
    public record Dialer(Duration connectTimeout, Duration idleTimeout, Supplier<SSLContext> tls,
                         Supplier<SSLContext> insecureTls, Supplier<ProxySelector> proxies,
                         Optional<Path> unixSocket, Optional<Duration> total) {
        /** Checks. */
        public Dialer {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(insecureTls, "insecureTls");
            Objects.requireNonNull(proxies, "proxies");
            Objects.requireNonNull(unixSocket, "unixSocket");
            Objects.requireNonNull(total, "total");
        }

        /** TCP to each request's host, with no bound over a whole exchange. */
        public Dialer(Duration connectTimeout, Duration idleTimeout, Supplier<SSLContext> tls,
                      Supplier<SSLContext> insecureTls, Supplier<ProxySelector> proxies) {
            this(connectTimeout, idleTimeout, tls, insecureTls, proxies, Optional.empty(), Optional.empty());
        }

        /**
         * Plain HTTP over the unix socket {@code socket}, one connection per exchange ({@code Connection:
         * close}, never pooled), every exchange done within {@code total} (connect, send, head and body).
         */
        public static Dialer unix(Path socket, Duration total) {
            Supplier<SSLContext> none = () -> {
                throw new IllegalStateException("no TLS over a unix socket");
            };
            return new Dialer(total, total, none, none, () -> null, Optional.of(socket), Optional.of(total));
        }
    }

    /**
     * Sends {@code request} and returns once the response head is in; the body streams from the response.
     *
     * @param release run once when the body ends or is closed, or when this fails
     * @throws HttpConnectTimeoutException when connecting timed out
     * @throws HttpTimeoutException        when the head did not arrive within the request's timeout, or a
     *                                     write of the body made no progress within the idle timeout
     * @throws SSLException                when TLS failed (handshake, certificate, host name)
     * @throws StreamBody.SourceFailure    when reading the request body's source failed
     * @throws ProtocolException           for a response Berth refuses to interpret
     * @throws IllegalArgumentException    for a header value with a line break (never sent)
     */
    public static Http1Response send(Exchange request, Dialer dialer, Runnable release) throws IOException {
        Objects.requireNonNull(release, "release");
        Connection c = null;
        // a nanoTime past which no wait of this exchange may go (Long.MAX_VALUE apart from now: none)
        long hardDeadline = dialer.total().map(t -> System.nanoTime() + t.toNanos())
                .orElse(System.nanoTime() + Long.MAX_VALUE);
        try {
            Route route = Route.of(request.uri(), dialer);
            byte[] head = requestHead(request, route.proxied() && !route.tls(), route.unix() != null);
            SSLContext context = !route.tls() ? null
                    : request.skipTlsChecks() ? dialer.insecureTls().get() : dialer.tls().get();
            Key key = new Key(route, context, !request.skipTlsChecks());
            // A request with a body goes on a fresh connection: were a reused one found closed, the body
            // (and whatever its source hashes) could not simply be sent again.
            boolean bodiless = request.body().map(b -> b.length() == 0).orElse(true);
            c = bodiless && route.unix() == null ? IDLE.take(key) : null;
            if (c != null) {
                c.hardDeadline = hardDeadline;
                try {
                    return exchange(c, head, request, dialer, release);
                } catch (ClosedBeforeAnswer e) {
                    // The server closed the idle connection (a clean close, no byte of an answer) as this
                    // request reached it: once more, on a fresh connection. A reset or a timeout is not
                    // taken for that: it fails the attempt, and the transport's retry policy decides.
                    c.close();
                    c = null;
                }
            }
            c = Connection.open(route, key, request, dialer, hardDeadline);
            return exchange(c, head, request, dialer, release);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            release.run();
            throw e;
        }
    }

    private static Http1Response exchange(Connection c, byte[] head, Exchange request, Dialer dialer, Runnable release)
            throws IOException {
        long idle = dialer.idleTimeout().toNanos();
        c.writeFully(ByteBuffer.wrap(head), System.nanoTime() + request.timeout().toNanos(), "request timed out");
        if (request.body().isPresent()) {
            request.body().get().writeTo(bytes -> c.writeFully(bytes, System.nanoTime() + idle,
                    "no progress sending the request body for " + dialer.idleTimeout().toMillis() + " ms"));
        }
        long deadline = System.nanoTime() + request.timeout().toNanos();
        Http1Head response = c.readHead(deadline, "response head timed out");
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
            response = c.readHead(deadline, "response head timed out");
        }
        Http1Body body = new Http1Body(c, response.framing(request.method()), response.contentLength(),
                response.reusable(request.method()) && c.key.route().unix() == null, dialer.idleTimeout(), release);
        return new Http1Response(response.status(), response.headers(), request.uri(), body);
    }

    /**
     * The request line and header fields, ending with the empty line.
     *
     * @param absoluteForm whether the target is the whole URI (plain http through a proxy)
     * @param close        whether to ask the server to close the connection after its answer
     */
    static byte[] requestHead(Exchange request, boolean absoluteForm, boolean close) {
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder sb = new StringBuilder(256);
        sb.append(request.method()).append(' ');
        if (absoluteForm) {
            sb.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://").append(authority(uri));
        }
        sb.append(path);
        if (uri.getRawQuery() != null) {
            sb.append('?').append(uri.getRawQuery());
        }
        sb.append(" HTTP/1.1\r\nHost: ").append(authority(uri)).append("\r\n");
        for (String[] h : request.headers()) {
            String name = h[0];
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("connection") || lower.equals("content-length")
                    || lower.equals("transfer-encoding")) {
                continue; // ours
            }
            checkField(name, h[1]);
            sb.append(name).append(": ").append(h[1]).append("\r\n");
        }
        if (close) {
            sb.append("Connection: close\r\n");
        }
        String method = request.method();
        if (request.body().isPresent()) {
            sb.append("Content-Length: ").append(request.body().get().length()).append("\r\n");
        } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            sb.append("Content-Length: 0\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** host[:port], the port left out when it is the scheme's default. */
    private static String authority(URI uri) {
        int port = uri.getPort();
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        if (port == -1 || port == (https ? 443 : 80)) {
            return uri.getHost();
        }
        return uri.getHost() + ":" + port;
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
     * Where a request's connection goes: the origin, or an HTTP proxy in front of it.
     *
     * @param host    the origin's host (brackets of an IPv6 literal removed)
     * @param port    the origin's port
     * @param tls     whether the origin speaks https
     * @param proxy   the proxy's address, or null to connect directly
     * @param unix    the unix socket to connect to instead of the host, or null
     */
    record Route(String host, int port, boolean tls, InetSocketAddress proxy, Path unix) {
        boolean proxied() {
            return proxy != null;
        }

        static Route of(URI uri, Dialer dialer) throws IOException {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ProtocolException("not an http(s) URI: " + redact(uri));
            }
            String host = uri.getHost();
            if (host == null) {
                throw new IOException("no host in " + redact(uri));
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            boolean tls = scheme.equals("https");
            int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
            if (dialer.unixSocket().isPresent()) {
                if (tls) {
                    throw new ProtocolException("no https over a unix socket: " + redact(uri));
                }
                return new Route(host, port, false, null, dialer.unixSocket().get());
            }
            return new Route(host, port, tls, proxyFor(uri, dialer), null);
        }

        /** The first HTTP proxy the selector names for {@code uri}, or null (SOCKS is not spoken). */
        private static InetSocketAddress proxyFor(URI uri, Dialer dialer) {
            ProxySelector selector = dialer.proxies().get();
            if (selector == null) {
                return null;
            }
            List<Proxy> proxies;
            try {
                proxies = selector.select(uri);
            } catch (IllegalArgumentException e) {
                return null;
            }
            for (Proxy p : proxies == null ? List.<Proxy>of() : proxies) {
                if (p.type() == Proxy.Type.DIRECT) {
                    return null;
                }
                if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress a) {
                    return a;
                }
            }
            return null;
        }
    }

    /**
     * A URI for messages and logs: scheme, host, port and path; user info and fragment left out and the
     * query (which may carry a token or a signed URL's signature) replaced.
     */
    public static String redact(URI uri) {
        if (uri == null) {
            return "<none>";
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + host + port + path + (uri.getRawQuery() != null ? "?<redacted>" : "");
    }

    /** The server closed the connection cleanly before sending a byte of its answer. */
    static final class ClosedBeforeAnswer extends ProtocolException {
        private static final long serialVersionUID = 1L;

        ClosedBeforeAnswer() {
            super("connection closed without a response");
        }
    }

    /**
     * What an idle connection must match to carry a request: the same route, and for https the same TLS
     * context and checks (an insecure registry's connection never serves a verified request).
     */
    record Key(Route route, SSLContext context, boolean verified) {
    }

    /** Idle connections by key, most recently used first; no thread: expiry is checked on every use. */
    private static final class IdlePool {
        private final java.util.Map<Key, java.util.ArrayDeque<Connection>> idle = new java.util.HashMap<>();
        private int count;

        /** Keeps {@code c} for reuse; when the pool is full, the connection idle longest is closed. */
        void put(Connection c) {
            List<Connection> evicted;
            synchronized (this) {
                evicted = removeExpired();
                if (count >= MAX_IDLE_CONNECTIONS) {
                    Connection oldest = null;
                    for (java.util.ArrayDeque<Connection> q : idle.values()) {
                        Connection last = q.peekLast();
                        if (last != null && (oldest == null || last.idleSince - oldest.idleSince < 0)) {
                            oldest = last;
                        }
                    }
                    if (oldest != null) {
                        java.util.ArrayDeque<Connection> q = idle.get(oldest.key);
                        q.pollLast();
                        if (q.isEmpty()) {
                            idle.remove(oldest.key);
                        }
                        count--;
                        evicted.add(oldest);
                    }
                }
                idle.computeIfAbsent(c.key, k -> new java.util.ArrayDeque<>()).addFirst(c);
                count++;
            }
            evicted.forEach(Connection::close);
        }

        /** An idle connection for {@code key} that is still open and quiet, or null. */
        Connection take(Key key) {
            while (true) {
                Connection c;
                synchronized (this) {
                    java.util.ArrayDeque<Connection> q = idle.get(key);
                    c = q == null ? null : q.pollFirst();
                    if (c == null) {
                        return null;
                    }
                    count--;
                    if (q.isEmpty()) {
                        idle.remove(key);
                    }
                }
                if (c.expired() || !c.quiet()) {
                    c.close();
                    continue;
                }
                c.resume();
                return c;
            }
        }

        private List<Connection> removeExpired() {
            List<Connection> expired = new java.util.ArrayList<>();
            for (java.util.Iterator<java.util.ArrayDeque<Connection>> it = idle.values().iterator(); it.hasNext(); ) {
                java.util.ArrayDeque<Connection> q = it.next();
                q.removeIf(c -> c.expired() && expired.add(c));
                if (q.isEmpty()) {
                    it.remove();
                }
            }
            count -= expired.size();
            return expired;
        }
    }

    /**
     * One connection and the buffer its response is read through. The buffer is kept in read mode: the
     * bytes between its position and limit have been received (and, over TLS, decrypted) and not yet
     * consumed. The socket is non-blocking; every wait goes through a selector with a deadline, so an
     * interrupt or {@link #close()} from another thread ends it.
     */
    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final boolean heap;
        private Key key;
        private ByteBuffer buffer;
        /** Bytes received since the connection was opened or taken from the pool. */
        private long received;
        private long idleSince;
        /** A nanoTime no wait may pass ({@link Dialer#total()}), whatever deadline it is given. */
        private long hardDeadline;
        /** The TLS session, or null for plain http. */
        private Tls tls;
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile boolean closed;

        private Connection(SocketChannel channel, Selector selector, ByteBuffer buffer, boolean heap) {
            this.channel = channel;
            this.selector = selector;
            this.buffer = buffer;
            this.heap = heap;
        }

        /**
         * Connects to the route's proxy or origin, tunnels through the proxy and shakes hands for https;
         * the handshake and the tunnel must be done within the request's timeout.
         */
        static Connection open(Route route, Key key, Exchange request, Dialer dialer, long hardDeadline)
                throws IOException {
            SocketAddress address;
            if (route.unix() != null) {
                address = UnixDomainSocketAddress.of(route.unix());
            } else {
                InetSocketAddress inet = route.proxied()
                        ? new InetSocketAddress(route.proxy().getHostString(), route.proxy().getPort())
                        : new InetSocketAddress(route.host(), route.port());
                if (inet.isUnresolved()) {
                    throw new java.net.UnknownHostException(inet.getHostString());
                }
                address = inet;
            }
            SocketChannel channel = route.unix() != null ? SocketChannel.open(StandardProtocolFamily.UNIX)
                    : SocketChannel.open();
            Selector selector = null;
            ByteBuffer buffer = null;
            BlockingQueue<ByteBuffer> pool = route.tls() ? HEAP_POOL : POOL;
            try {
                channel.configureBlocking(false);
                selector = Selector.open();
                buffer = pool.poll();
                if (buffer == null) {
                    buffer = route.tls() ? ByteBuffer.allocate(BUFFER_SIZE) : ByteBuffer.allocateDirect(BUFFER_SIZE);
                }
                buffer.clear().flip();
                Connection c = new Connection(channel, selector, buffer, route.tls());
                c.key = key;
                c.hardDeadline = hardDeadline;
                if (!channel.connect(address)) {
                    SelectionKey connecting = channel.register(selector, SelectionKey.OP_CONNECT);
                    long deadline = System.nanoTime() + dialer.connectTimeout().toNanos();
                    while (!channel.finishConnect()) {
                        if (!c.await(connecting, deadline)) {
                            // the catch below closes the socket and hands the buffer back, once
                            throw new HttpConnectTimeoutException("connect timed out: " + redact(request.uri()));
                        }
                    }
                    connecting.interestOps(0);
                }
                if (route.unix() == null) {
                    channel.socket().setTcpNoDelay(true);
                }
                long deadline = System.nanoTime() + request.timeout().toNanos();
                if (route.proxied() && route.tls()) {
                    c.tunnel(route, deadline);
                }
                if (route.tls()) {
                    c.tls = new Tls(c, key.context(), route, key.verified());
                    long handshake = Math.min(request.timeout().toNanos(), TLS_HANDSHAKE_TIMEOUT.toNanos());
                    try {
                        c.tls.handshake(System.nanoTime() + handshake);
                    } catch (HttpTimeoutException e) {
                        SSLHandshakeException tlsFailure = new SSLHandshakeException("TLS handshake timed out after "
                                + handshake / 1_000_000 + " ms");
                        tlsFailure.initCause(e);
                        throw tlsFailure;
                    }
                }
                c.received = 0; // a proxy's answer and the handshake are not the response
                return c;
            } catch (IOException | RuntimeException e) {
                channel.close();
                if (selector != null) {
                    selector.close();
                }
                if (buffer != null) {
                    pool.offer(buffer.clear());
                }
                throw e;
            }
        }

        /** Asks the proxy for a tunnel to the origin; anything but 2xx fails. */
        private void tunnel(Route route, long deadline) throws IOException {
            String authority = (route.host().indexOf(':') >= 0 ? "[" + route.host() + "]" : route.host()) + ":"
                    + route.port();
            byte[] connect = ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            writeFully(ByteBuffer.wrap(connect), deadline, "the proxy timed out");
            Http1Head answer = readHead(deadline, "the proxy timed out");
            if (answer.status() / 100 != 2) {
                throw new IOException("the proxy refused a tunnel to " + authority + ": status " + answer.status());
            }
            if (buffer.hasRemaining()) {
                throw new ProtocolException("the proxy sent bytes after accepting the tunnel");
            }
        }

        /** Writes all of {@code bytes} (encrypted over TLS) by {@code deadline}. */
        void writeFully(ByteBuffer bytes, long deadline, String timeoutMessage) throws IOException {
            if (tls != null) {
                tls.write(bytes, deadline, timeoutMessage);
            } else {
                writeRaw(bytes, deadline, timeoutMessage);
            }
        }

        private void writeRaw(ByteBuffer bytes, long deadline, String timeoutMessage) throws IOException {
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) == 0 && !await(SelectionKey.OP_WRITE, deadline)) {
                    throw new HttpTimeoutException(timeoutMessage);
                }
            }
        }

        /** Reads a response head; the bytes after it stay in the buffer. */
        Http1Head readHead(long deadline, String timeoutMessage) throws IOException {
            int scanned = 0;
            while (true) {
                ByteBuffer b = buffer();
                int end = indexOfEmptyLine(b, scanned);
                if (end >= 0) {
                    // the head's last line ends with the LF at end; then the empty line: LF or CRLF
                    byte[] head = new byte[end - b.position()];
                    b.get(head);
                    b.position(b.position() + (b.get(b.position() + 1) == '\r' ? 3 : 2));
                    return Http1Head.parse(head, head.length);
                }
                scanned = Math.max(0, b.remaining() - 2);
                if (b.remaining() >= MAX_HEAD) {
                    throw new ProtocolException("response head larger than " + MAX_HEAD + " bytes");
                }
                if (fill(deadline, timeoutMessage) < 0) {
                    if (b.remaining() == 0 && received == 0) {
                        throw new ClosedBeforeAnswer();
                    }
                    throw new ProtocolException(b.remaining() == 0 ? "connection closed without a response"
                            : "connection closed inside the response head");
                }
            }
        }

        /**
         * The absolute index of the LF that ends the head's last line, the first LF after {@code from}
         * unread bytes followed by an empty line (LF or CRLF), or -1. A bare LF ends a line as CRLF does
         * (RFC 9112 §2.2 allows it, Go's client and so Docker's accept it, and plugins written without
         * Go's server send it).
         */
        private static int indexOfEmptyLine(ByteBuffer b, int from) {
            int limit = Math.min(b.limit(), b.position() + MAX_HEAD);
            for (int i = b.position() + from; i + 1 < limit; i++) {
                if (b.get(i) == '\n' && (b.get(i + 1) == '\n'
                        || b.get(i + 1) == '\r' && i + 2 < limit && b.get(i + 2) == '\n')) {
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
                if (!b.hasRemaining()) {
                    throw new IllegalStateException("fill with a full buffer");
                }
                return tls != null ? tls.read(b, deadline, timeoutMessage) : readRaw(b, deadline, timeoutMessage);
            } finally {
                b.flip();
            }
        }

        /**
         * Hands the connection to the idle pool once a response was read to its end: only when nothing
         * beyond that end was received (stray bytes would be the start of the next answer); closes it
         * otherwise. The caller must not use it afterwards.
         */
        void recycle() {
            boolean keep;
            synchronized (this) {
                ByteBuffer b = buffer;
                keep = !closed && b != null && !b.hasRemaining() && (tls == null || !tls.hasPending());
                if (keep) {
                    buffer = null;
                    (heap ? HEAP_POOL : POOL).offer(b.clear());
                    idleSince = System.nanoTime();
                }
            }
            if (keep) {
                IDLE.put(this);
            } else {
                close();
            }
        }

        boolean expired() {
            return System.nanoTime() - idleSince > MAX_IDLE.toNanos();
        }

        /** Whether an idle connection is open with nothing received: a close or any byte means no reuse. */
        boolean quiet() {
            try {
                return channel.read(ByteBuffer.allocate(1)) == 0;
            } catch (IOException e) {
                return false;
            }
        }

        /** Takes a read buffer again for a connection leaving the idle pool. */
        void resume() {
            BlockingQueue<ByteBuffer> pool = heap ? HEAP_POOL : POOL;
            ByteBuffer b = pool.poll();
            if (b == null) {
                b = heap ? ByteBuffer.allocate(BUFFER_SIZE) : ByteBuffer.allocateDirect(BUFFER_SIZE);
            }
            synchronized (this) {
                buffer = b.clear().flip();
                received = 0;
            }
        }

        /** Reads plain bytes into {@code into} (write mode): how many, or -1 at the end of the stream. */
        private int readRaw(ByteBuffer into, long deadline, String timeoutMessage) throws IOException {
            while (true) {
                int n = channel.read(into);
                if (n > 0) {
                    received += n;
                }
                if (n != 0) {
                    return n;
                }
                if (!await(SelectionKey.OP_READ, deadline)) {
                    throw new HttpTimeoutException(timeoutMessage);
                }
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
            if (deadline - hardDeadline > 0) {
                deadline = hardDeadline;
            }
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
                    throw new InterruptedIOException("interrupted while waiting for the server");
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
                    (heap ? HEAP_POOL : POOL).offer(b.clear());
                }
            }
        }
    }

    /**
     * TLS over a connection's socket: records are read into {@link #netIn} and decrypted straight into the
     * connection's buffer; what is written is encrypted into {@link #netOut}, many records per socket
     * write. Berth never renegotiates and never sends {@code close_notify} (every connection carries one
     * request, and its end is the response's framing).
     */
    private static final class Tls {
        private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
        private final Connection connection;
        private final SSLEngine engine;
        /** Received, not yet decrypted (write mode). */
        private final ByteBuffer netIn;
        /** Encrypted, to send. */
        private final ByteBuffer netOut;
        private final int recordSize;
        private boolean inboundDone;

        Tls(Connection connection, SSLContext context, Route route, boolean verify) {
            this.connection = connection;
            // the host and port name the session for resumption and, for a host name, go out as SNI
            this.engine = context.createSSLEngine(route.host(), route.port());
            engine.setUseClientMode(true);
            SSLParameters p = engine.getSSLParameters();
            if (verify) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            engine.setSSLParameters(p);
            this.recordSize = engine.getSession().getPacketBufferSize();
            this.netIn = ByteBuffer.allocate(Math.max(TLS_NET_BUFFER, recordSize));
            this.netOut = ByteBuffer.allocate(TLS_NET_BUFFER + recordSize);
        }

        void handshake(long deadline) throws IOException {
            engine.beginHandshake();
            String timeout = "TLS handshake timed out";
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> {
                        netOut.clear();
                        SSLEngineResult r = engine.wrap(NOTHING, netOut);
                        netOut.flip();
                        connection.writeRaw(netOut, deadline, timeout);
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("the TLS handshake was closed");
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        ByteBuffer app = connection.buffer();
                        app.compact();
                        SSLEngineResult r;
                        try {
                            netIn.flip();
                            try {
                                r = engine.unwrap(netIn, app);
                            } finally {
                                netIn.compact();
                            }
                        } finally {
                            app.flip();
                        }
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("the server closed the TLS handshake");
                        }
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                                || r.bytesConsumed() == 0 && r.bytesProduced() == 0
                                && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                            if (receive(deadline, timeout) < 0) {
                                throw new SSLHandshakeException("the server closed the connection during the TLS"
                                        + " handshake");
                            }
                        }
                    }
                    case NEED_TASK -> runTasks();
                    default -> {
                        return; // FINISHED or NOT_HANDSHAKING
                    }
                }
            }
        }

        /**
         * Decrypts into {@code into} (write mode) at least one byte of application data, receiving records
         * as needed, and then whatever further whole records fit.
         *
         * @return the number of bytes decrypted, or -1 at the end of the stream
         */
        int read(ByteBuffer into, long deadline, String timeoutMessage) throws IOException {
            int produced = 0;
            while (true) {
                if (inboundDone) {
                    return produced > 0 ? produced : -1;
                }
                if (netIn.position() > 0) {
                    if (into.remaining() < engine.getSession().getApplicationBufferSize()) {
                        if (produced > 0) {
                            return produced;
                        }
                        throw new IOException("no room in the read buffer for a TLS record");
                    }
                    netIn.flip();
                    SSLEngineResult r;
                    try {
                        r = engine.unwrap(netIn, into);
                    } finally {
                        netIn.compact();
                    }
                    produced += r.bytesProduced();
                    afterUnwrap(r, deadline, timeoutMessage);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        inboundDone = true; // close_notify
                        continue;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.OK && netIn.position() > 0) {
                        continue; // more records may be whole
                    }
                    if (produced > 0) {
                        return produced;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() > 0) {
                        continue; // a handshake message (a session ticket): nothing to return yet
                    }
                }
                if (produced > 0) {
                    return produced;
                }
                if (receive(deadline, timeoutMessage) < 0) {
                    inboundDone = true;
                    try {
                        engine.closeInbound();
                    } catch (SSLException truncated) {
                        // the peer closed without close_notify: the response's framing tells a short body
                    }
                }
            }
        }

        /** Whether received bytes wait to be decrypted, or the peer ended its side. */
        boolean hasPending() {
            return netIn.position() > 0 || inboundDone;
        }

        /** Encrypts and sends all of {@code bytes}. */
        void write(ByteBuffer bytes, long deadline, String timeoutMessage) throws IOException {
            while (bytes.hasRemaining()) {
                netOut.clear();
                while (bytes.hasRemaining() && netOut.remaining() >= recordSize) {
                    SSLEngineResult r = engine.wrap(bytes, netOut);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the TLS session is closed");
                    }
                    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                }
                netOut.flip();
                connection.writeRaw(netOut, deadline, timeoutMessage);
            }
        }

        /** Answers what a record asked for after the handshake: a task, or a message of ours (key update). */
        private void afterUnwrap(SSLEngineResult r, long deadline, String timeoutMessage) throws IOException {
            SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
                hs = engine.getHandshakeStatus();
            }
            while (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                netOut.clear();
                SSLEngineResult w = engine.wrap(NOTHING, netOut);
                netOut.flip();
                connection.writeRaw(netOut, deadline, timeoutMessage);
                hs = w.getStatus() == SSLEngineResult.Status.CLOSED ? SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                        : engine.getHandshakeStatus();
            }
        }

        /** Reads encrypted bytes from the socket into {@link #netIn}; -1 at the end of the stream. */
        private int receive(long deadline, String timeoutMessage) throws IOException {
            if (!netIn.hasRemaining()) {
                throw new SSLException("a TLS record larger than " + netIn.capacity() + " bytes");
            }
            return connection.readRaw(netIn, deadline, timeoutMessage);
        }

        private void runTasks() {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run(); // on this thread: Berth starts none
            }
        }
    }
}
