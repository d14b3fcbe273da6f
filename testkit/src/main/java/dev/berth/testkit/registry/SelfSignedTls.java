package dev.berth.testkit.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed RSA key and certificate for {@code 127.0.0.1} only (not {@code localhost}), made by the
 * {@code openssl} CLI ({@link RealRegistry#tls} serves with one), with the server and client TLS contexts
 * that go with it: a test server speaks TLS with {@link #serverContext()}, and a client that checks
 * certificates and host names trusts it through {@link #clientContext()}.
 */
public final class SelfSignedTls {
    private static final char[] PASSWORD = "berth-test".toCharArray();

    private final Path certificate;
    private final Path key;
    private final SSLContext server;
    private final SSLContext client;

    private SelfSignedTls(Path certificate, Path key, SSLContext server, SSLContext client) {
        this.certificate = certificate;
        this.key = key;
        this.server = server;
        this.client = client;
    }

    /** Makes a key and certificate in {@code dir} ({@code tls.key}, {@code tls.crt}). */
    public static SelfSignedTls create(Path dir) throws IOException {
        Tools.require("openssl", "openssl");
        Files.createDirectories(dir);
        Path key = dir.resolve("tls.key");
        Path cert = dir.resolve("tls.crt");
        Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()), new byte[0]);
        try {
            PrivateKey privateKey = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pem(key, "PRIVATE KEY")));
            Certificate certificate;
            try (InputStream in = Files.newInputStream(cert)) {
                certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", privateKey, PASSWORD, new Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(kmf.getKeyManagers(), null, null);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            return new SelfSignedTls(cert, key, server, client);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key and certificate openssl made", e);
        }
    }

    /** The certificate, PEM. */
    public Path certificate() {
        return certificate;
    }

    /** The private key, PEM (PKCS #8), for servers that read it from a file. */
    public Path key() {
        return key;
    }

    /** For the server side: presents the certificate. */
    public SSLContext serverContext() {
        return server;
    }

    /** For clients: trusts the certificate (and nothing else). */
    public SSLContext clientContext() {
        return client;
    }

    /**
     * The TLS server end of an accepted connection, speaking with {@code tls}; closing it sends
     * {@code close_notify}, then closes {@code raw}.
     */
    static Socket serverSide(SSLContext tls, Socket raw) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1", raw.getPort(), true);
        ssl.setUseClientMode(false);
        return ssl;
    }

    /** The DER bytes of the first PEM block of {@code type} ({@code PRIVATE KEY}, {@code CERTIFICATE}) in {@code file}. */
    static byte[] pem(Path file, String type) throws IOException {
        String text = Files.readString(file);
        String begin = "-----BEGIN " + type + "-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END " + type + "-----");
        if (start < 0 || end < start) {
            throw new IOException(file + " has no " + type);
        }
        return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
    }
}
