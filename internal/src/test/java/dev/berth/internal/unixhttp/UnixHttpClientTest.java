package dev.berth.internal.unixhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin protocol's client on Berth's one HTTP/1.1 client, against a unix-socket server that answers
 * with scripted bytes: what goes on the wire, the whole-exchange deadline (which also cuts off a plugin
 * that trickles its answer), the response cap, and the strict parsing shared with registry traffic.
 */
@Timeout(30)
class UnixHttpClientTest {
    private Path dir;
    private Path socket;
    private ServerSocketChannel server;

    @BeforeEach
    void listen() throws IOException {
        dir = Files.createTempDirectory("berth-unixhttp");
        socket = dir.resolve("p.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
        Files.delete(dir);
    }

    /** Accepts one connection, reads the request (head and Content-Length body), runs {@code answer}. */
    private CompletableFuture<String> serveOnce(Answer answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = server.accept()) {
                String request = readRequest(c);
                answer.write(c);
                return request;
            } catch (IOException | InterruptedException e) {
                return "failed: " + e;
            }
        });
    }

    interface Answer {
        void write(SocketChannel c) throws IOException, InterruptedException;
    }

    private static Answer bytes(String raw) {
        return c -> c.write(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String readRequest(SocketChannel c) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            one.clear();
            if (c.read(one) < 0) {
                break;
            }
            seen.write(one.array()[0]);
        }
        String head = seen.toString(StandardCharsets.ISO_8859_1);
        int at = head.indexOf("Content-Length: ");
        int length = at < 0 ? 0 : Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)));
        ByteBuffer body = ByteBuffer.allocate(length);
        while (body.hasRemaining() && c.read(body) >= 0) {
            // until the whole body is in
        }
        return head + new String(body.array(), StandardCharsets.UTF_8);
    }

    @Test
    void post_sendsOneClosingRequestOfThePluginProtocol_andReadsTheAnswer() throws Exception {
        CompletableFuture<String> request = serveOnce(bytes(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"Err\":\"none\"}"));

        UnixHttpClient.Response r = UnixHttpClient.post(socket, "/VolumeDriver.Create",
                "{\"Name\":\"v\"}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), 1000);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(r.bodyText()).isEqualTo("{\"Err\":\"none\"}");
        assertThat(request.get()).isEqualTo("POST /VolumeDriver.Create HTTP/1.1\r\n"
                + "Host: plugin\r\n"
                + "User-Agent: berth\r\n"
                + "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                + "Content-Type: application/vnd.docker.plugins.v1.2+json\r\n"
                + "Connection: close\r\n"
                + "Content-Length: 12\r\n\r\n"
                + "{\"Name\":\"v\"}");
    }

    @Test
    void post_pluginTricklingItsAnswer_cutOffAtTheWholeExchangesDeadline() {
        // one byte every 100 ms never trips a per-read timeout of 600 ms: only the exchange's deadline can
        serveOnce(c -> {
            byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            c.write(ByteBuffer.wrap(head));
            for (int i = 0; i < 1000 && c.isOpen(); i++) {
                Thread.sleep(100);
                c.write(ByteBuffer.wrap(new byte[] {'x'}));
            }
        });

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> UnixHttpClient.post(socket, "/Slow.Method", new byte[0], Duration.ofMillis(600),
                10_000)).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("did not answer in time");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    @Test
    void post_answerOverTheCap_refusedByItsDeclaredLengthOrAsItStreams() {
        serveOnce(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + "a".repeat(5000)));
        assertThatThrownBy(() -> UnixHttpClient.post(socket, "/Big", new byte[0], Duration.ofSeconds(5), 1000))
                .isInstanceOf(IOException.class).hasMessageContaining("exceeds the limit of 1000");

        serveOnce(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + "a".repeat(5000)));
        assertThatThrownBy(() -> UnixHttpClient.post(socket, "/Big", new byte[0], Duration.ofSeconds(5), 1000))
                .isInstanceOf(IOException.class).hasMessageContaining("exceeds the limit of 1000");
    }

    @Test
    void post_malformedAnswer_refusedAsTheRegistryClientRefusesIt() {
        serveOnce(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n folded: line\r\n\r\nok"));

        assertThatThrownBy(() -> UnixHttpClient.post(socket, "/Plugin.Activate", new byte[0], Duration.ofSeconds(5),
                1000)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void post_nothingListening_failsAtOnce() throws IOException {
        server.close();
        Files.delete(socket);

        assertThatThrownBy(() -> UnixHttpClient.post(socket, "/Plugin.Activate", new byte[0], Duration.ofSeconds(5),
                1000)).isInstanceOf(IOException.class);
        assertThat(UnixHttpClient.accepts(socket)).isFalse();
    }

    @Test
    void post_badPath_refusedBeforeConnecting() {
        for (String path : new String[] {"Plugin.Activate", "/a b", "/caf\u00e9", "/a{b"}) {
            assertThatThrownBy(() -> UnixHttpClient.post(socket, path, new byte[0], Duration.ofSeconds(1), 10))
                    .as(path).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad request path");
        }
    }
}
