package dev.berth.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * Berth's own HTTP/1.1 reader against a socket server that answers with scripted bytes: well-formed
 * bodies of every framing come back exact, and every malformed, truncated, oversized or stalled answer
 * ends in a typed error, with the connection slot released exactly once.
 */
@Timeout(30)
class Http1ClientTest {
    static final Duration IDLE = Duration.ofMillis(500);

    ScriptedServer server;
    AtomicInteger released;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
        released = new AtomicInteger();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    Http1Client.Exchange get(String pathAndQuery) {
        return request("GET", pathAndQuery, Duration.ofSeconds(2), "User-Agent", "berth-test",
                "Authorization", "Bearer t0k3n");
    }

    /** A bodiless request to the scripted server; {@code headers} are names and values in turn. */
    Http1Client.Exchange request(String method, String pathAndQuery, Duration timeout, String... headers) {
        List<String[]> h = new ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(new String[] {headers[i], headers[i + 1]});
        }
        return new Http1Client.Exchange(method, URI.create("http://127.0.0.1:" + server.port() + pathAndQuery), h,
                Optional.empty(), timeout, false);
    }

    static Http1Client.Dialer dialer(Duration connectTimeout, Duration idleTimeout) {
        return new Http1Client.Dialer(connectTimeout, idleTimeout, Http1ClientTest::defaultTls,
                Http1ClientTest::defaultTls, () -> null);
    }

    static javax.net.ssl.SSLContext defaultTls() {
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Http1Response send(Http1Client.Exchange request) throws IOException {
        return Http1Client.send(request, dialer(Duration.ofSeconds(2), IDLE), released::incrementAndGet);
    }

    byte[] body(Http1Client.Exchange request) throws IOException {
        try (Http1Response r = send(request)) {
            return r.body().readAllBytes();
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // --- well-formed answers ---

    @Test
    void send_contentLength_bodyExactAndRequestHeadAsSpecified() throws Exception {
        byte[] payload = randomBytes(3_000_000, 1);
        server.answer(concat(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + payload.length
                + "\r\nDocker-Content-Digest: sha256:abc\r\n\r\n"), payload));

        try (Http1Response r = send(get("/v2/a/blobs/x?token=1&b=2"))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("docker-content-digest")).hasValue("sha256:abc");
            assertThat(r.body().readAllBytes()).isEqualTo(payload);
        }

        String head = server.requestHead(0);
        assertThat(head).startsWith("GET /v2/a/blobs/x?token=1&b=2 HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                .contains("\r\nUser-Agent: berth-test\r\n", "\r\nAuthorization: Bearer t0k3n\r\n")
                .doesNotContainIgnoringCase("content-length").doesNotContainIgnoringCase("connection:")
                .endsWith("\r\n\r\n");
        assertThat(released).hasValue(1);
    }

    @Test
    void send_repeatedHeaderValues_eachOnItsOwnLine() throws Exception {
        server.answer(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
        Http1Client.Exchange r = request("GET", "/", Duration.ofSeconds(2), "Accept", "a/b", "Accept", "c/d");

        assertThat(body(r)).isEmpty();

        assertThat(server.requestHead(0)).contains("\r\nAccept: a/b\r\n", "\r\nAccept: c/d\r\n");
    }

    @Test
    void send_chunkedWithExtensionsAndTrailers_decoded() throws Exception {
        server.answer(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1A \r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: yes\r\n\r\n"));

        assertThat(new String(body(get("/")), StandardCharsets.US_ASCII))
                .isEqualTo("hello abcdefghijklmnopqrstuvwxy");
        assertThat(released).hasValue(1);
    }

    @Test
    void send_transferEncodingAndContentLength_chunkedWinsAndTheLengthIsIgnored() throws Exception {
        // a smuggling classic: the length would cut the body elsewhere than the chunks do
        server.answer(ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\nabcdef\r\n0\r\n\r\n"));

        assertThat(body(get("/"))).isEqualTo(ascii("abcdef"));
    }

    @Test
    void send_noLengthNoChunks_readsUntilTheServerCloses() throws Exception {
        server.answer(ascii("HTTP/1.0 200 OK\r\n\r\nuntil the end"));

        assertThat(body(get("/"))).isEqualTo(ascii("until the end"));
    }

    @Test
    void send_head_readsNoBodyWhateverTheLength() throws Exception {
        // bytes after the head of a HEAD answer are not a body (a broken or hostile server sends them)
        server.answer(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nnot a body"));
        Http1Client.Exchange head = request("HEAD", "/m", Duration.ofSeconds(2));

        try (Http1Response r = send(head)) {
            assertThat(Http1Response.contentLength(r.headers())).hasValue(1000);
            assertThat(r.body().available()).isZero();
            assertThat(r.body().read()).isEqualTo(-1);
        }
        assertThat(server.requestHead(0)).startsWith("HEAD /m HTTP/1.1\r\n");
    }

    @Test
    void send_informationalResponsesFirst_skipsThem() throws Exception {
        server.answer(ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        assertThat(body(get("/"))).isEqualTo(ascii("ok"));
    }

    @Test
    void send_bodyArrivingByteByByte_assembled() throws Exception {
        server.answer(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), 1);

        assertThat(body(get("/"))).isEqualTo(ascii("abcde"));
    }

    // --- malformed heads ---

    @Test
    void send_malformedStatusLines_refused() throws Exception {
        for (String line : List.of("HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 600 Nope",
                "ICY 200 OK", "HTTP/1.1 2x0 OK", "<html>")) {
            server.answer(ascii(line + "\r\nContent-Length: 0\r\n\r\n"));
            assertThatThrownBy(() -> send(get("/")).close()).as(line).isInstanceOf(ProtocolException.class);
        }
        assertThat(released).hasValue(7);
    }

    @Test
    void send_badHeaderLines_refused() throws Exception {
        for (String header : List.of("Content-Length: 2\r\n folded: continuation", "Bad Name: x", ": empty name",
                "no colon at all", "X: a\u0000b")) {
            server.answer(ascii("HTTP/1.1 200 OK\r\n" + header + "\r\n\r\nok"));
            assertThatThrownBy(() -> send(get("/")).close()).as(header).isInstanceOf(ProtocolException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\nok",
        "HTTP/1.0 200 OK\r\nContent-Length: 2\nX-A: b\r\n\nok",
        "HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\r\nok",
    })
    void send_headLinesEndedByBareLf_readAsGoReadsThem(String answer) throws Exception {
        server.answer(ascii(answer));

        try (Http1Response r = send(get("/"))) {
            assertThat(r.header("X-A")).hasValue("b");
            assertThat(r.body().readAllBytes()).isEqualTo(ascii("ok"));
        }
    }

    @Test
    void send_bareCrInsideAHeadLine_refused() throws Exception {
        for (String head : List.of("HTTP/1.1 200 OK\r\nX-A: b\rContent-Length: 9\r\n",
                "HTTP/1.1 200 OK\r\nX-A\r: b\r\n")) {
            server.answer(ascii(head + "Content-Length: 2\r\n\r\nok"));
            assertThatThrownBy(() -> send(get("/")).close()).as(head).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void send_conflictingOrInvalidContentLength_refused() throws Exception {
        for (String header : List.of("Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5, 6",
                "Content-Length: -1", "Content-Length: 0x10", "Content-Length: 99999999999999999999",
                "Content-Length: +5")) {
            server.answer(ascii("HTTP/1.1 200 OK\r\n" + header + "\r\n\r\nhello!"));
            assertThatThrownBy(() -> send(get("/")).close()).as(header).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void send_repeatedEqualContentLength_accepted() throws Exception {
        server.answer(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));

        assertThat(body(get("/"))).isEqualTo(ascii("hello"));
    }

    @Test
    void send_unsupportedTransferCodings_refused() throws Exception {
        for (String te : List.of("gzip", "gzip, chunked", "chunked, gzip", "identity", " , ")) {
            server.answer(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n"));
            assertThatThrownBy(() -> send(get("/")).close()).as(te).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void send_headLargerThanTheCap_refusedWithoutReadingOn() throws Exception {
        String big = "X-Filler: " + "a".repeat(1000) + "\r\n";
        server.answer(ascii("HTTP/1.1 200 OK\r\n" + big.repeat(100) + "\r\n"));

        assertThatThrownBy(() -> send(get("/"))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("larger than " + Http1Client.MAX_HEAD);
        assertThat(released).hasValue(1);
    }

    @Test
    void send_endlessInformationalResponses_refused() throws Exception {
        server.answer(ascii("HTTP/1.1 100 Continue\r\n\r\n".repeat(Http1Client.MAX_INFORMATIONAL + 1)
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));

        assertThatThrownBy(() -> send(get("/"))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("informational");
        assertThat(released).hasValue(1);
    }

    @Test
    void send_switchingProtocols_refused() throws Exception {
        server.answer(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));

        assertThatThrownBy(() -> send(get("/"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void send_closedBeforeAnyAnswer_failsAsIo() throws Exception {
        server.answer(new byte[0]);

        assertThatThrownBy(() -> send(get("/"))).isInstanceOf(IOException.class)
                .hasMessageContaining("without a response");
        assertThat(released).hasValue(1);
    }

    // --- malformed and truncated bodies ---

    @Test
    void read_connectionClosedBeforeContentLength_failsAsIoNotAsAShortBody() throws Exception {
        server.answer(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly forty bytes of the hundred promised!"));

        assertThatThrownBy(() -> body(get("/"))).isInstanceOf(IOException.class)
                .isNotInstanceOf(ProtocolException.class).hasMessageContaining("41 of 100 bytes");
        assertThat(released).hasValue(1);
    }

    @Test
    void read_moreBytesThanContentLength_extraIgnored() throws Exception {
        server.answer(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\nsmuggled"));

        assertThat(body(get("/"))).isEqualTo(ascii("hello"));
    }

    @Test
    void read_badChunks_refused() throws Exception {
        for (String chunks : List.of("zz\r\nab\r\n0\r\n\r\n", "\r\nab\r\n0\r\n\r\n", "-2\r\nab\r\n0\r\n\r\n",
                "1000000000000000\r\n", "2\r\nabc\r\n0\r\n\r\n", "2\nab\n0\n\n",
                "2;" + "e".repeat(Http1Body.MAX_CHUNK_LINE) + "\r\nab\r\n0\r\n\r\n",
                "0\r\n" + ("X-T: " + "t".repeat(1000) + "\r\n").repeat(70) + "\r\n")) {
            server.answer(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks));
            assertThatThrownBy(() -> body(get("/"))).as(chunks.substring(0, Math.min(20, chunks.length())))
                    .isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void read_connectionClosedInsideAChunkOrBeforeTheLastOne_failsAsIo() throws Exception {
        for (String chunks : List.of("a\r\nabc", "3\r\nabc\r\n", "3\r\nabc\r\n0\r\n")) {
            server.answer(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks));
            assertThatThrownBy(() -> body(get("/"))).as(chunks).isInstanceOf(IOException.class)
                    .isNotInstanceOf(ProtocolException.class);
        }
    }

    // --- timeouts, closes, interrupts ---

    @Test
    void send_noAnswerWithinTheRequestTimeout_timesOut() throws Exception {
        server.answerAfterHang(ascii(""));
        Http1Client.Exchange r = request("GET", "/", Duration.ofMillis(300));

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> send(r)).isInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(released).hasValue(1);
    }

    @Test
    void read_bodyStalls_failsAfterTheIdleTimeout() throws Exception {
        server.answerAfterHang(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));

        try (Http1Response r = send(get("/"))) {
            InputStream in = r.body();
            assertThat(in.readNBytes(3)).isEqualTo(ascii("abc"));
            assertThatThrownBy(in::read).isInstanceOf(HttpTimeoutException.class)
                    .hasMessageContaining("no data received for " + IDLE.toMillis() + " ms");
        }
        assertThat(released).hasValue(1);
    }

    @Test
    void close_fromAnotherThreadWhileAReadWaits_failsTheReadAtOnce() throws Exception {
        server.answerAfterHang(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"));
        Http1Response response = Http1Client.send(get("/"), dialer(Duration.ofSeconds(2), Duration.ofSeconds(20)),
                released::incrementAndGet);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = reader(response, failures);
        awaitWaitingForBytes(reader);

        long t0 = System.nanoTime();
        response.close();
        reader.join(5000);

        assertThat(reader.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(failures).singleElement().isInstanceOf(IOException.class);
        assertThat(released).hasValue(1);
        assertThatThrownBy(() -> response.body().read()).isInstanceOf(IOException.class);
    }

    @Test
    void read_interrupted_failsWithInterruptedIo() throws Exception {
        server.answerAfterHang(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"));
        Http1Response response = Http1Client.send(get("/"), dialer(Duration.ofSeconds(2), Duration.ofSeconds(20)),
                released::incrementAndGet);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = reader(response, failures);
        awaitWaitingForBytes(reader);

        reader.interrupt();
        reader.join(5000);

        assertThat(reader.isAlive()).isFalse();
        assertThat(failures).singleElement().isInstanceOf(InterruptedIOException.class);
        assertThat(released).hasValue(1);
    }

    /** A started thread that reads one byte of the body, recording what it throws. */
    private static Thread reader(Http1Response response, List<Throwable> failures) {
        Thread reader = new Thread(() -> {
            try {
                response.body().read();
            } catch (Throwable t) {
                failures.add(t);
            }
        }, "body-reader");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** Waits (up to 5 s) until {@code t} is inside a selector's wait, i.e. the read is blocked for bytes. */
    private static void awaitWaitingForBytes(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().contains("SelectorImpl") && e.getMethodName().contains("elect")) {
                    return;
                }
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        throw new AssertionError("the reader never waited for bytes");
    }

    @Test
    void send_headerValueWithALineBreak_refusedBeforeConnecting() throws Exception {
        Http1Client.Exchange injected = request("GET", "/", Duration.ofSeconds(2), "Authorization",
                "Bearer x\r\nX-Injected: 1");

        assertThatThrownBy(() -> send(injected)).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.accepted()).isZero();
        assertThat(released).hasValue(1);
    }

    @Test
    void send_bodyThePeerStopsReading_timesOutWithinTheIdleTimeout() throws Exception {
        // a listener that accepts and never reads: the socket buffers fill and the write waits
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(silent.accept());
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.start();
            byte[] body = new byte[64 << 20];
            Http1Client.Exchange put = new Http1Client.Exchange("PUT",
                    URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/upload"), List.of(),
                    Optional.of(StreamBody.of(body)), Duration.ofSeconds(10), false);

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Http1Client.send(put, dialer(Duration.ofSeconds(2), Duration.ofMillis(300)),
                    released::incrementAndGet)).isInstanceOf(HttpTimeoutException.class)
                    .hasMessageContaining("sending the request body");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(released).hasValue(1);
            acceptor.join(2000);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void https_serverThatNeverAnswersTheHandshake_failsFastAsATlsFailure() throws Exception {
        // a plain-http server waiting for a request line: the ClientHello is never answered
        server.answerAfterHang(ascii(""));
        Http1Client.Exchange r = new Http1Client.Exchange("GET", URI.create("https://127.0.0.1:" + server.port() + "/v2/"),
                List.of(), Optional.empty(), Duration.ofMillis(400), false);

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> send(r)).isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(released).hasValue(1);
    }

    @Test
    void requestHead_bodyAndAbsoluteForm() {
        Http1Client.Exchange post = new Http1Client.Exchange("POST", URI.create("http://reg.example:5000/v2/a?x=1"),
                List.<String[]>of(new String[] {"Content-Length", "99"}, new String[] {"X-A", "b"}),
                Optional.of(StreamBody.of(new byte[7])), Duration.ofSeconds(1), false);
        Http1Client.Exchange put = new Http1Client.Exchange("PUT", URI.create("https://reg.example/v2/b"), List.of(),
                Optional.empty(), Duration.ofSeconds(1), false);

        assertThat(new String(Http1Client.requestHead(post, false, false), StandardCharsets.ISO_8859_1)).isEqualTo(
                "POST /v2/a?x=1 HTTP/1.1\r\nHost: reg.example:5000\r\nX-A: b\r\nContent-Length: 7\r\n\r\n");
        assertThat(new String(Http1Client.requestHead(post, true, false), StandardCharsets.ISO_8859_1))
                .startsWith("POST http://reg.example:5000/v2/a?x=1 HTTP/1.1\r\n");
        assertThat(new String(Http1Client.requestHead(put, false, false), StandardCharsets.ISO_8859_1)).isEqualTo(
                "PUT /v2/b HTTP/1.1\r\nHost: reg.example\r\nContent-Length: 0\r\n\r\n");
    }

    @Nested
    class KeepAlive {
        KeepAliveServer ka;

        @BeforeEach
        void start() throws IOException {
            ka = new KeepAliveServer();
        }

        @AfterEach
        void stop() throws IOException {
            ka.close();
        }

        Http1Client.Exchange get(String path) {
            return Http1Client.Exchange.get(URI.create("http://127.0.0.1:" + ka.port() + path), Duration.ofSeconds(2));
        }

        byte[] fetch(String path, String answer, boolean readToEnd) throws IOException {
            ka.next(ascii(answer));
            try (Http1Response r = send(get(path))) {
                return readToEnd ? r.body().readAllBytes() : r.body().readNBytes(1);
            }
        }

        @Test
        void bodiesReadToTheirEnd_oneConnectionCarriesTheNextRequests() throws Exception {
            assertThat(fetch("/a", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", true)).isEqualTo(ascii("abc"));
            assertThat(fetch("/b", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n",
                    true)).isEqualTo(ascii("de"));
            assertThat(fetch("/c", "HTTP/1.1 204 No Content\r\n\r\n", true)).isEmpty();

            assertThat(ka.heads()).extracting(h -> h.split(" ")[1]).containsExactly("/a", "/b", "/c");
            assertThat(ka.accepted()).isEqualTo(1);
            assertThat(released).hasValue(3);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
            "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforged"})
        void responsesThatEndTheConnection_orCarryMoreThanTheirBody_neverReused(String answer) throws Exception {
            fetch("/a", answer, true);
            fetch("/b", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny", true);

            assertThat(ka.accepted()).isEqualTo(2);
        }

        @Test
        void bodyClosedBeforeItsEnd_connectionNotReused() throws Exception {
            fetch("/a", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", false);
            fetch("/b", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny", true);

            assertThat(ka.accepted()).isEqualTo(2);
        }

        @Test
        void idleConnectionTheServerClosed_requestGoesOnAFreshOne() throws Exception {
            fetch("/a", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", true);
            ka.dropConnections();

            assertThat(fetch("/b", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny", true)).isEqualTo(ascii("y"));
            assertThat(ka.accepted()).isEqualTo(2);
        }
    }

    /** Serves any number of requests per connection, each with the next scripted answer. */
    static final class KeepAliveServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        private final java.util.concurrent.BlockingQueue<byte[]> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        private final List<String> heads = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();

        KeepAliveServer() throws IOException {
            Thread t = new Thread(() -> ScriptedServer.acceptEach(socket, accepted, open, this::serve),
                    "keep-alive-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        List<String> heads() {
            return heads;
        }

        void next(byte[] answer) {
            answers.add(answer);
        }

        /** Closes every connection, as a server does with idle ones. */
        void dropConnections() throws IOException, InterruptedException {
            for (Socket s : open) {
                s.close();
            }
            Thread.sleep(50); // lets the FIN reach the client; the client must cope either way
        }

        private void serve(Socket s) {
            try (s) {
                while (true) {
                    String head = ScriptedServer.readHead(s.getInputStream());
                    if (head.isEmpty()) {
                        return;
                    }
                    heads.add(head);
                    s.getOutputStream().write(answers.take());
                    s.getOutputStream().flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void send_nobodyListening_failsToConnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Http1Client.Exchange r = Http1Client.Exchange.get(URI.create("http://127.0.0.1:" + port + "/"),
                Duration.ofSeconds(2));

        assertThatThrownBy(() -> send(r)).isInstanceOf(java.net.ConnectException.class);
        assertThat(released).hasValue(1);
    }

    @Test
    void send_connectNeverCompletes_timesOut() throws Exception {
        // a listener that never accepts, its backlog filled: the kernel drops further SYNs
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                    } catch (IOException e) {
                        s.close();
                        break; // the backlog is full
                    }
                    fillers.add(s);
                }
                Http1Client.Exchange r = Http1Client.Exchange.get(
                        URI.create("http://127.0.0.1:" + full.getLocalPort() + "/"), Duration.ofSeconds(2));

                assertThatThrownBy(() -> Http1Client.send(r, dialer(Duration.ofMillis(300), IDLE),
                        released::incrementAndGet))
                        .isInstanceOf(java.net.http.HttpConnectTimeoutException.class);
                assertThat(released).hasValue(1);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    // --- buffers shared through the pool ---

    @Test
    void send_manyConcurrentBodies_neverMixBytes() throws Exception {
        int n = 12;
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = randomBytes(300_000 + i * 7919, i);
            payloads.add(p);
            server.answer(concat(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + p.length + "\r\n\r\n"), p), 0,
                    "/" + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < n; i++) {
                    String path = "/" + i;
                    results.add(pool.submit(() -> body(get(path))));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(20, TimeUnit.SECONDS)).as("body " + i).isEqualTo(payloads.get(i % n));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(released).hasValue(3 * n);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Accepts connections on 127.0.0.1 and answers each with the next scripted bytes (or those scripted
     * for the request's path), after reading the request head; records each head. A "hang" answer writes
     * its bytes and then keeps the connection open until the server closes.
     */
    static final class ScriptedServer implements AutoCloseable {
        private record Answer(byte[] bytes, int pieceSize, String path, boolean hang) {
        }

        private final ServerSocket socket;
        private final List<Answer> answers = new CopyOnWriteArrayList<>();
        private final List<String> heads = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread acceptor;

        ScriptedServer() throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            acceptor = new Thread(this::acceptLoop, "scripted-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        void answer(byte[] bytes) {
            answer(bytes, 0);
        }

        void answer(byte[] bytes, int pieceSize) {
            answers.add(new Answer(bytes, pieceSize, null, false));
        }

        void answer(byte[] bytes, int pieceSize, String path) {
            answers.add(new Answer(bytes, pieceSize, path, false));
        }

        void answerAfterHang(byte[] bytes) {
            answers.add(new Answer(bytes, 0, null, true));
        }

        String requestHead(int i) {
            return heads.get(i);
        }

        private void acceptLoop() {
            acceptEach(socket, accepted, open, this::serve);
        }

        /** Accepts until {@code socket} closes, serving each connection on a daemon thread of its own. */
        static void acceptEach(ServerSocket socket, AtomicInteger accepted, List<Socket> open,
                               java.util.function.Consumer<Socket> serve) {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    Thread t = new Thread(() -> serve.accept(s), "scripted-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                String head = readHead(s.getInputStream());
                heads.add(head);
                String path = head.split(" ", 3)[1];
                Answer a = next(path);
                OutputStream out = s.getOutputStream();
                if (a.pieceSize() > 0) {
                    s.setTcpNoDelay(true);
                    for (int i = 0; i < a.bytes().length; i += a.pieceSize()) {
                        out.write(a.bytes(), i, Math.min(a.pieceSize(), a.bytes().length - i));
                        out.flush();
                        Thread.sleep(1); // pacing, not synchronization: gives each piece its own segment
                    }
                } else {
                    out.write(a.bytes());
                    out.flush();
                }
                if (a.hang()) {
                    s.getInputStream().read(); // until the client or the server closes
                }
            } catch (IOException | InterruptedException e) {
                // the client went away: nothing to answer
            }
        }

        private synchronized Answer next(String path) {
            for (Answer a : answers) {
                if (path.equals(a.path())) {
                    return a; // path answers are reusable
                }
            }
            for (Answer a : answers) {
                if (a.path() == null) {
                    answers.remove(a);
                    return a;
                }
            }
            return new Answer(ascii("HTTP/1.1 500 Unscripted\r\nContent-Length: 0\r\n\r\n"), 0, null, false);
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && Arrays.equals(h, n - 4, n, ascii("\r\n\r\n"), 0, 4)) {
                    break;
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
