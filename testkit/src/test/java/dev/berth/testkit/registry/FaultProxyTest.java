package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FaultProxy} on the wire, in front of a {@link TestHttpServer} whose answers are known byte for
 * byte: faithful relaying (keep-alive, Content-Length and chunked bodies both ways) and what each fault
 * does to the bytes a client reads.
 */
class FaultProxyTest {
    static final byte[] BODY = pattern(1000);
    static final String CHUNKED = "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";

    TestHttpServer upstream;
    FaultProxy proxy;

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + i / 256);
        }
        return b;
    }

    @BeforeEach
    void start() throws IOException {
        upstream = new TestHttpServer(ex -> {
            switch (ex.path()) {
                case "/plain" -> ex.respond(200, Map.of(), BODY);
                case "/echo" -> ex.respond(201, Map.of(), ex.body());
                case "/range" -> ex.respond(206, Map.of("Content-Range", "bytes 10-19/1000"),
                        Arrays.copyOfRange(BODY, 10, 20));
                case "/chunked" -> {
                    ex.writeHead(200, Map.of(), -1, true);
                    ex.rawOut().write(CHUNKED.getBytes(StandardCharsets.ISO_8859_1));
                    ex.rawOut().flush();
                }
                default -> ex.respond(404, Map.of(), new byte[0]);
            }
        });
        proxy = FaultProxy.start(upstream.host());
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    /** A raw client connection to the proxy. */
    final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Client() throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), proxy.uri().getPort());
            socket.setSoTimeout(5_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void send(String head, byte[] body) throws IOException {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        void get(String path) throws IOException {
            send("GET " + path + " HTTP/1.1\r\nHost: " + proxy.host() + "\r\n\r\n", new byte[0]);
        }

        /** The status line and headers (names lower-cased). */
        Map<String, String> head() throws IOException {
            Map<String, String> h = new LinkedHashMap<>();
            h.put(":status", line().split(" ")[1]);
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                h.put(l.substring(0, colon).toLowerCase(java.util.Locale.ROOT), l.substring(colon + 1).trim());
            }
            return h;
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("EOF in a line");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        byte[] body(Map<String, String> head) throws IOException {
            return in.readNBytes(Integer.parseInt(head.get("content-length")));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void relays_keepAliveAndChunkedBodiesBothWays_verbatim() throws IOException {
        try (Client c = new Client()) {
            c.get("/plain");
            Map<String, String> h = c.head();
            assertThat(h.get(":status")).isEqualTo("200");
            assertThat(c.body(h)).isEqualTo(BODY);

            c.send("PATCH /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            h = c.head();
            assertThat(h.get(":status")).isEqualTo("201");
            assertThat(new String(c.body(h), StandardCharsets.ISO_8859_1)).isEqualTo("abcde");

            c.get("/chunked");
            h = c.head();
            assertThat(h.get("transfer-encoding")).isEqualTo("chunked");
            assertThat(new String(c.in.readNBytes(CHUNKED.length()), StandardCharsets.ISO_8859_1)).isEqualTo(CHUNKED);

            c.get("/plain"); // the same connection still carries requests
            assertThat(c.body(c.head())).isEqualTo(BODY);
        }
        assertThat(proxy.exchanges()).extracting(FaultProxy.Exchange::path)
                .containsExactly("/plain", "/echo", "/chunked", "/plain");
        assertThat(proxy.exchanges()).allMatch(e -> e.fault().isEmpty());
        assertThat(upstream.requests()).hasSize(4);
    }

    @Test
    void reset_afterKBytes_sendsThoseThenRst() throws IOException {
        FaultProxy.Rule rule = proxy.on("GET", "/pl.*").apply(ProxyFault.reset(100));
        try (Client c = new Client()) {
            c.get("/plain");
            Map<String, String> h = c.head();
            assertThat(h.get("content-length")).isEqualTo("1000");
            assertThat(c.in.readNBytes(100)).isEqualTo(Arrays.copyOf(BODY, 100));
            assertThatThrownBy(() -> c.in.read()).isInstanceOf(SocketException.class);
        }
        assertThat(rule.hits()).isEqualTo(1);
        try (Client c = new Client()) { // one match only: the next request is relayed
            c.get("/plain");
            assertThat(c.body(c.head())).isEqualTo(BODY);
        }
    }

    @Test
    void truncate_closesCleanlyAfterKBytes() throws IOException {
        proxy.on("GET", "/plain").apply(new ProxyFault.Truncate(100));
        try (Client c = new Client()) {
            c.get("/plain");
            c.head();
            assertThat(c.in.readAllBytes()).isEqualTo(Arrays.copyOf(BODY, 100));
        }
    }

    @Test
    void truncate_ofAChunkedAnswer_sendsThePayloadUnframedUntilClose() throws IOException {
        proxy.on("GET", "/chunked").apply(new ProxyFault.Truncate(7));
        try (Client c = new Client()) {
            c.get("/chunked");
            Map<String, String> h = c.head();
            assertThat(h).doesNotContainKey("transfer-encoding").containsEntry("connection", "close");
            assertThat(new String(c.in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("hello w");
        }
    }

    @Test
    void duplicateAndReorder_keepTheLengthAndChangeTheBytes() throws IOException {
        proxy.on("GET", "/plain").apply(new ProxyFault.Duplicate(10, 5));
        proxy.on("GET", "/plain").apply(new ProxyFault.Reorder(10, 5));
        try (Client c = new Client()) {
            c.get("/plain");
            byte[] dup = c.body(c.head());
            ByteArrayOutputStream want = new ByteArrayOutputStream();
            want.write(BODY, 0, 15);
            want.write(BODY, 10, 5);
            want.write(BODY, 15, 1000 - 20);
            assertThat(dup).isEqualTo(want.toByteArray());

            c.get("/plain"); // same connection: the framing stayed right
            byte[] swapped = c.body(c.head());
            want.reset();
            want.write(BODY, 0, 10);
            want.write(BODY, 15, 5);
            want.write(BODY, 10, 5);
            want.write(BODY, 20, 980);
            assertThat(swapped).isEqualTo(want.toByteArray());
        }
    }

    @Test
    void status_burstAnsweredByTheProxy_thenRelayed() throws IOException {
        proxy.on("PUT", "/echo").times(2).apply(ProxyFault.retryAfter(429, "3"));
        try (Client c = new Client()) {
            for (int i = 0; i < 3; i++) {
                c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", "abc".getBytes(StandardCharsets.US_ASCII));
                Map<String, String> h = c.head();
                c.body(h);
                assertThat(h.get(":status")).isEqualTo(i < 2 ? "429" : "201");
                assertThat(h.get("retry-after")).isEqualTo(i < 2 ? "3" : null);
            }
        }
        assertThat(upstream.requests()).hasSize(1);
        assertThat(proxy.count("PUT", "/echo")).isEqualTo(3);
    }

    @Test
    void shiftContentRange_onlyOnRangedRequests() throws IOException {
        proxy.on("GET", "/range").ranged().apply(new ProxyFault.ShiftContentRange(7));
        try (Client c = new Client()) {
            c.get("/range");
            Map<String, String> h = c.head();
            c.body(h);
            assertThat(h.get("content-range")).isEqualTo("bytes 10-19/1000");
            c.send("GET /range HTTP/1.1\r\nHost: x\r\nRange: bytes=10-\r\n\r\n", new byte[0]);
            h = c.head();
            assertThat(c.body(h)).isEqualTo(Arrays.copyOfRange(BODY, 10, 20));
            assertThat(h.get("content-range")).isEqualTo("bytes 17-26/1000");
        }
    }

    @Test
    void drip_isSlowButComplete() throws IOException {
        proxy.on("GET", "/plain").apply(new ProxyFault.Drip(4000));
        try (Client c = new Client()) {
            long start = System.nanoTime();
            c.get("/plain");
            assertThat(c.body(c.head())).isEqualTo(BODY);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void stall_sendsKBytesThenNothing() throws IOException {
        proxy.on("GET", "/plain").apply(new ProxyFault.Stall(10));
        try (Client c = new Client()) {
            c.socket.setSoTimeout(300);
            c.get("/plain");
            c.head();
            assertThat(c.in.readNBytes(10)).isEqualTo(Arrays.copyOf(BODY, 10));
            assertThatThrownBy(() -> c.in.read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void beforeForward_runsTheActionThenRelays() throws IOException {
        int[] ran = new int[1];
        proxy.on("GET", "/plain").apply(new ProxyFault.BeforeForward(() -> ran[0]++));
        try (Client c = new Client()) {
            c.get("/plain");
            assertThat(c.body(c.head())).isEqualTo(BODY);
        }
        assertThat(ran[0]).isEqualTo(1);
    }

    @Test
    void upstreamDown_answers502() throws IOException {
        upstream.close();
        try (Client c = new Client()) {
            c.get("/plain");
            assertThat(c.head().get(":status")).isEqualTo("502");
        }
    }

    @Test
    void tlsHandshake_getsA400AtOnce() throws IOException {
        try (Client c = new Client()) {
            c.send("", new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5});
            assertThat(c.head().get(":status")).isEqualTo("400");
        }
    }

    @Test
    void onlyLoopbackUpstreams() {
        assertThatThrownBy(() -> FaultProxy.start("192.0.2.1:80")).isInstanceOf(IllegalArgumentException.class);
    }
}
