package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.PluginException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.testkit.registry.RealRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.ProxySelector;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real registry over TLS only, with a self-signed certificate for 127.0.0.1: an insecure registry
 * is spoken to without certificate checks (as Docker does), a secure one only with a trusted
 * certificate, and never silently over plain http.
 */
class TlsRegistryTest {
    @TempDir
    Path dir;
    RealRegistry registry;
    final byte[] blob = "a blob over TLS".getBytes(StandardCharsets.UTF_8);
    final Descriptor desc = Descriptor.of(MediaTypes.OCTET_STREAM, dev.berth.oci.Digest.sha256(blob), blob.length);

    @BeforeEach
    void start() throws Exception {
        registry = RealRegistry.tls(dir.resolve("registry"));
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private void roundTrip(HttpRegistryResolver resolver) throws Exception {
        Reference ref = Reference.parse(registry.host() + "/tls/blob:1");
        resolver.pusher(ref).push(desc, BlobSource.of(blob));
        try (InputStream in = resolver.fetcher(ref).fetch(desc)) {
            assertThat(in.readAllBytes()).isEqualTo(blob);
        }
    }

    @Test
    void insecureLoopback_selfSignedCertificate_acceptedAsDockerDoes() throws Exception {
        roundTrip(HttpRegistryResolver.builder().build());
    }

    @Test
    void secureHost_trustedCertificate_works() throws Exception {
        roundTrip(HttpRegistryResolver.builder().loopbackInsecure(false).sslContext(trusting(registry.certificate())).build());
    }

    @Test
    void secureHost_untrustedCertificate_refusedWithoutFallingBackToHttp() {
        HttpRegistryResolver resolver = HttpRegistryResolver.builder().loopbackInsecure(false).build();
        Reference ref = Reference.parse(registry.host() + "/tls/blob:1");
        assertThatThrownBy(() -> resolver.pusher(ref).push(desc, BlobSource.of(blob)))
                .isInstanceOf(PluginException.class);
        assertThat(registry.log()).doesNotContain("\"PUT ");
    }

    @Test
    void secureHost_certificateForAnotherName_refused() {
        // the certificate names 127.0.0.1 only: reached as localhost, the host name check must fail
        HttpRegistryResolver resolver = HttpRegistryResolver.builder().loopbackInsecure(false)
                .sslContext(trusting(registry.certificate())).build();
        Reference ref = Reference.parse("localhost:" + registry.uri().getPort() + "/tls/blob:1");

        assertThatThrownBy(() -> resolver.pusher(ref).push(desc, BlobSource.of(blob)))
                .isInstanceOf(PluginException.class).hasMessageContaining("TLS");
        assertThat(registry.log()).doesNotContain("\"PUT ");
    }

    @Test
    void throughAnHttpProxy_httpsGoesThroughAConnectTunnel() throws Exception {
        ProxySelector before = ProxySelector.getDefault();
        try (ForwardProxy proxy = new ForwardProxy()) {
            ProxySelector.setDefault(proxy.selector());
            roundTrip(HttpRegistryResolver.builder().loopbackInsecure(false).sslContext(trusting(registry.certificate()))
                    .build());
            assertThat(proxy.requestLines()).isNotEmpty()
                    .allSatisfy(l -> assertThat(l).isEqualTo("CONNECT " + registry.host() + " HTTP/1.1"));
        } finally {
            ProxySelector.setDefault(before);
        }
    }

    private static SSLContext trusting(Path certificate) {
        try {
            return trustingOrFail(certificate);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trustingOrFail(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("registry", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
