package dev.berth.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fuzzes Berth's HTTP/1.1 response reader, which every registry, token-server and plugin request goes
 * through. Invariants for every input: it fails only with an {@link IOException} (a
 * {@link ProtocolException} for what it refuses), never reads more body bytes than the server sent or than
 * {@code Content-Length} declares, finishes within its timeouts, and releases the request's slot once.
 *
 * <p>The reader runs against a loopback server that answers every connection with the fuzz input verbatim
 * and closes. Without {@code JAZZER_FUZZ} JUnit runs the method once per seed in
 * {@code src/test/resources/dev/berth/internal/http/Http1ResponseFuzzTestInputs/readResponse/}.
 */
class Http1ResponseFuzzTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final ServerSocket SERVER;
    private static volatile byte[] answer = new byte[0];

    static {
        try {
            SERVER = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(Http1ResponseFuzzTest::serve, "fuzz-http-server");
        t.setDaemon(true);
        t.start();
    }

    private static void serve() {
        while (!SERVER.isClosed()) {
            try (Socket s = SERVER.accept()) {
                InputStream in = s.getInputStream();
                int matched = 0;
                byte[] end = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                while (matched < end.length) { // the request head; its content does not matter here
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(answer);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // the client gave up first: the next connection gets the next input
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void readResponse(byte[] response) {
        answer = response;
        Http1Client.Exchange request = Http1Client.Exchange.get(
                URI.create("http://127.0.0.1:" + SERVER.getLocalPort() + "/v2/"), Duration.ofSeconds(5));
        AtomicInteger released = new AtomicInteger();
        long start = System.nanoTime();
        // Jazzer's SSRF detector flags every connection; this one goes to the harness's own server only
        SilentCloseable allowed = BugDetectors.allowNetworkConnections((host, port) -> port == SERVER.getLocalPort());
        try {
            Http1Response r = Http1Client.send(request, Http1ClientTest.dialer(Duration.ofSeconds(5),
                    Duration.ofSeconds(5)), released::incrementAndGet);
            assertThat(r.status()).isBetween(200, 599);
            OptionalLong declared = Http1Response.contentLength(r.headers());
            long read = 0;
            try (InputStream body = r.body()) {
                byte[] buf = new byte[8192];
                for (int n; (n = body.read(buf)) >= 0; ) {
                    read += n;
                    assertThat(read).as("body bytes read").isLessThanOrEqualTo(response.length);
                }
            }
            boolean bodiless = r.status() == 204 || r.status() == 304;
            if (declared.isPresent() && !bodiless && r.header("Transfer-Encoding").isEmpty()) {
                assertThat(read).as("a complete Content-Length body").isEqualTo(declared.getAsLong());
            }
        } catch (IOException expected) {
            assertThat(expected).isNotNull();
        } finally {
            allowed.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded work").isLessThan(Duration.ofSeconds(4));
        }
        assertThat(released.get()).as("release runs once").isEqualTo(1);
    }
}
