package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FaultProxy} terminating TLS: what a client that checks the certificate reads through it. */
class FaultProxyTlsTest {
    static final byte[] BODY = FaultProxyTest.pattern(50_000);

    @TempDir
    Path dir;
    TestHttpServer upstream;
    SelfSignedTls certificate;
    FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        upstream = new TestHttpServer(ex -> ex.respond(200, Map.of(), BODY));
        certificate = SelfSignedTls.create(dir);
        proxy = FaultProxy.startTls(upstream.host(), certificate);
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    /** A GET over TLS, verified against the proxy's certificate and 127.0.0.1; returns the stream after the head. */
    private InputStream get(SSLSocket s) throws IOException {
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.getOutputStream().write("GET /blob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("head ends").isNotNegative();
            head.append((char) b);
        }
        assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + BODY.length);
        return in;
    }

    private SSLSocket connect() throws IOException {
        return (SSLSocket) certificate.clientContext().getSocketFactory().createSocket("127.0.0.1",
                Integer.parseInt(proxy.host().substring(proxy.host().indexOf(':') + 1)));
    }

    @Test
    void relays_overTls_andTellsTheRegistryTheClientsScheme() throws IOException {
        assertThat(proxy.uri().getScheme()).isEqualTo("https");
        try (SSLSocket s = connect()) {
            assertThat(get(s).readNBytes(BODY.length)).isEqualTo(BODY);
        }
        assertThat(upstream.requests()).singleElement()
                .satisfies(r -> assertThat(r.header("X-Forwarded-Proto")).hasValue("https"));
    }

    @Test
    void truncate_sendsKBytesThenEndsTheConnection() throws IOException {
        proxy.on("GET", "/blob").apply(new ProxyFault.Truncate(1000));
        try (SSLSocket s = connect()) {
            InputStream in = get(s);
            assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(BODY, 1000));
            // the proxy ends the TCP stream without close_notify; the JDK's SSLSocket reads either as the end
            // of the stream, so this checks the bytes and the end, not the missing alert
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void reset_isATcpResetInsideTls() throws IOException {
        proxy.on("GET", "/blob").apply(ProxyFault.reset(1000));
        try (SSLSocket s = connect()) {
            InputStream in = get(s);
            assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(BODY, 1000));
            assertThatThrownBy(() -> in.read()).isInstanceOfAny(SocketException.class, SSLException.class);
        }
    }
}
