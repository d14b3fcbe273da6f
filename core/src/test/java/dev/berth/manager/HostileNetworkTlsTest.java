package dev.berth.manager;

import dev.berth.registry.HttpRegistryResolver;
import dev.berth.testkit.registry.FaultProxy;
import dev.berth.testkit.registry.RealRegistry;
import dev.berth.testkit.registry.SelfSignedTls;
import dev.berth.testkit.registry.TokenServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every test of {@link HostileNetworkTest} over https, the path users take: the fault proxy terminates TLS
 * with a certificate the client checks (no insecure fallback to http), so resets, truncations without
 * {@code close_notify}, stalls and slow drips happen inside TLS, and resuming, retrying, re-authorizing and
 * the root left as it was are checked on Berth's TLS code.
 */
class HostileNetworkTlsTest extends HostileNetworkTest {
    private SelfSignedTls certificate;

    @Override
    FaultProxy proxyIn(RealRegistry registry) throws IOException {
        if (certificate == null) {
            certificate = SelfSignedTls.create(shared.resolve("proxy-tls"));
        }
        return FaultProxy.tls(registry, certificate);
    }

    @Override
    TokenServer startTokens(Path dir) throws IOException {
        // an https registry's client sends credentials only to an https realm
        return TokenServer.startTls(dir, Map.of("u", "p"), true, certificate);
    }

    @Override
    HttpRegistryResolver.Builder resolver() {
        return super.resolver().loopbackInsecure(false).sslContext(certificate.clientContext());
    }
}
