package dev.berth.testkit.registry;

import dev.berth.api.internal.GoJsonWriter;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A Docker registry token server (the distribution "token" auth spec) for tests, on 127.0.0.1: GET
 * {@code /token?service=..&scope=..} with optional Basic credentials, and the OAuth2 POST form
 * (password grant) that dockerd uses once it has credentials. Tokens are RS256 JWTs whose header carries
 * the signing certificate as {@code x5c}, which is what {@code docker-registry} verifies against its
 * {@code rootcertbundle}.
 *
 * <p>After {@link #issueRefreshTokens()} the POST form also works the way OAuth2 servers with offline
 * access do: a grant that asks for {@code access_type=offline} gets a {@code refresh_token} in its answer,
 * and {@code grant_type=refresh_token} with it (for the same service) gets a token with that user's
 * access. A refresh rotates: the answer carries a new refresh token and the one presented stops working.
 * An unknown, revoked or rotated refresh token is refused with 400 {@code invalid_grant} (RFC 6749,
 * section 5.2). {@link #grants()} records what each POST asked for and got.
 *
 * <p>The RSA key and self-signed certificate are made by the {@code openssl} CLI (building an X.509
 * certificate with the JDK alone needs internal APIs). Valid credentials get every action they ask
 * for; without credentials only {@code pull}, and only when anonymous pulls are allowed.
 */
public final class TokenServer implements AutoCloseable {
    /** The issuer the registry must be configured with. */
    public static final String ISSUER = "berth-test-issuer";
    /** The service name the registry must be configured with. */
    public static final String SERVICE = "berth-test-registry";
    /** How long past a token's {@code exp} claim distribution still accepts it (its {@code token.Leeway}). */
    public static final Duration REGISTRY_LEEWAY = Duration.ofSeconds(60);

    private final TestHttpServer server;
    private final Map<String, String> users;
    private final boolean anonymousPull;
    private final PrivateKey key;
    private final String certDerBase64;
    private final Path certPem;
    /** Refresh token to the user and service it was issued for. */
    private final Map<String, String[]> refreshTokens = new ConcurrentHashMap<>();
    private final List<Grant> grants = new CopyOnWriteArrayList<>();
    private volatile boolean issueRefreshTokens;
    private volatile Duration lifetime = Duration.ofSeconds(300);
    private volatile Duration advertised = Duration.ofSeconds(300);

    /**
     * One OAuth2 POST to the token endpoint.
     *
     * @param grantType    the {@code grant_type} sent
     * @param presented    the {@code refresh_token} sent, or empty
     * @param issued       the {@code refresh_token} answered, or empty
     * @param status       the status answered
     * @param withPassword whether the form carried a {@code password} field
     */
    public record Grant(String grantType, String presented, String issued, int status, boolean withPassword) {
    }

    private TokenServer(Path dir, Map<String, String> users, boolean anonymousPull, SSLContext tls) throws IOException {
        this.users = Map.copyOf(users);
        this.anonymousPull = anonymousPull;
        Tools.require("openssl", "openssl");
        Files.createDirectories(dir);
        Path keyPem = dir.resolve("token-key.pem");
        certPem = dir.resolve("token-cert.pem");
        Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPem.toString(),
                "-out", certPem.toString(), "-days", "30", "-subj", "/CN=berth-test-token-issuer"), new byte[0]);
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(SelfSignedTls.pem(keyPem, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key openssl made", e);
        }
        certDerBase64 = Base64.getEncoder().encodeToString(SelfSignedTls.pem(certPem, "CERTIFICATE"));
        server = new TestHttpServer(this::handle, tls);
    }

    /**
     * Starts a token server.
     *
     * @param dir           where the key and certificate are written
     * @param users         user name to password
     * @param anonymousPull whether requests without credentials get pull access
     */
    public static TokenServer start(Path dir, Map<String, String> users, boolean anonymousPull) throws IOException {
        return new TokenServer(Objects.requireNonNull(dir, "dir"), users, anonymousPull, null);
    }

    /**
     * {@link #start(Path, Map, boolean)} for a token endpoint reached over TLS with {@code certificate}:
     * its {@link #realm()} is https, as a client that holds credentials for an https registry requires.
     */
    public static TokenServer startTls(Path dir, Map<String, String> users, boolean anonymousPull,
                                       SelfSignedTls certificate) throws IOException {
        return new TokenServer(Objects.requireNonNull(dir, "dir"), users, anonymousPull,
                Objects.requireNonNull(certificate, "certificate").serverContext());
    }

    /**
     * From now on, answers OAuth2 grants that ask for {@code access_type=offline} with a refresh token,
     * and accepts {@code grant_type=refresh_token} (see the class comment).
     */
    public TokenServer issueRefreshTokens() {
        issueRefreshTokens = true;
        return this;
    }

    /**
     * From now on, issues tokens the registry accepts for {@code lifetime} after issue, while the answer's
     * {@code expires_in} says {@code advertised}: a token that lies about its life (advertised longer)
     * expires under a client that trusts the answer, as when a token server's clock or policy changes.
     * distribution accepts a token until {@link #REGISTRY_LEEWAY} after its {@code exp} claim, so the claim is
     * set to issue time + {@code lifetime} &minus; that leeway (whole seconds; it may lie before the issue
     * time). Both are 300 s unless set.
     *
     * @param lifetime   how long the registry accepts a token, at least a second
     * @param advertised the {@code expires_in} answered, at least a second
     * @return this
     */
    public TokenServer tokenLifetime(Duration lifetime, Duration advertised) {
        if (lifetime.toSeconds() < 1 || advertised.toSeconds() < 1) {
            throw new IllegalArgumentException("token lifetimes must be at least a second: " + lifetime + ", "
                    + advertised);
        }
        this.lifetime = lifetime;
        this.advertised = advertised;
        return this;
    }

    /** Forgets every refresh token issued so far: presenting one gets 400 {@code invalid_grant}. */
    public void revokeRefreshTokens() {
        refreshTokens.clear();
    }

    /** Every OAuth2 POST so far, in the order received. */
    public List<Grant> grants() {
        return List.copyOf(grants);
    }

    /** The realm URL: {@code http://127.0.0.1:port/token}. */
    public URI realm() {
        return URI.create(server.uri() + "/token");
    }

    /** The certificate bundle the registry trusts. */
    public Path certificate() {
        return certPem;
    }

    /** Every request received. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(TestHttpServer.Exchange ex) throws IOException {
        if (!ex.path().equals("/token")) {
            ex.respond(404, Map.of(), new byte[0]);
            return;
        }
        String user = null;
        String password = null;
        List<String> scopes = new ArrayList<>();
        String service = SERVICE;
        boolean oauth = ex.method().equals("POST");
        boolean offline = false;
        boolean refreshed = false;
        String presented = "";
        String grantType = "";
        boolean withPassword = false;
        if (oauth) {
            Map<String, String> form = new HashMap<>();
            for (String kv : new String(ex.body(), StandardCharsets.UTF_8).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    form.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            grantType = form.getOrDefault("grant_type", "");
            withPassword = form.containsKey("password");
            presented = form.getOrDefault("refresh_token", "");
            offline = "offline".equals(form.get("access_type"));
            service = form.getOrDefault("service", SERVICE);
            for (String s : form.getOrDefault("scope", "").split(" ")) {
                if (!s.isBlank()) {
                    scopes.add(s);
                }
            }
            if (grantType.equals("refresh_token") && issueRefreshTokens) {
                String[] owner = refreshTokens.remove(presented);
                if (owner == null || !owner[1].equals(service)) {
                    grants.add(new Grant(grantType, presented, "", 400, withPassword));
                    json(ex, 400, "{\"error\":\"invalid_grant\"}");
                    return;
                }
                refreshed = true;
                user = owner[0];
                password = users.get(user);
            } else if (grantType.equals("password")) {
                user = form.getOrDefault("username", "");
                password = form.getOrDefault("password", "");
            } else {
                grants.add(new Grant(grantType, presented, "", 400, withPassword));
                json(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
        } else {
            String auth = ex.header("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String[] up = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8)
                        .split(":", 2);
                user = up[0];
                password = up.length > 1 ? up[1] : "";
            }
            int q = ex.target().indexOf('?');
            if (q >= 0) {
                for (String kv : ex.target().substring(q + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    String k = eq < 0 ? kv : kv.substring(0, eq);
                    String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    if (k.equals("scope")) {
                        for (String s : v.split(" ")) {
                            if (!s.isBlank()) {
                                scopes.add(s);
                            }
                        }
                    } else if (k.equals("service")) {
                        service = v;
                    }
                }
            }
        }
        boolean authenticated = false;
        if (user != null) {
            if (!Objects.equals(users.get(user), password)) {
                if (oauth) {
                    grants.add(new Grant(grantType, presented, "", 401, withPassword));
                }
                ex.respond(401, Map.of("Content-Type", "application/json", "WWW-Authenticate",
                        "Basic realm=\"berth-test-token-server\""),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}"
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            authenticated = true;
        } else if (!anonymousPull) {
            if (oauth) {
                grants.add(new Grant(grantType, presented, "", 401, withPassword));
            }
            ex.respond(401, Map.of("Content-Type", "application/json", "WWW-Authenticate",
                    "Basic realm=\"berth-test-token-server\""),
                    "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"credentials required\"}]}"
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String token;
        try {
            token = jwt(authenticated ? user : "", service, scopes, authenticated);
        } catch (GeneralSecurityException e) {
            throw new IOException("signing failed", e);
        }
        GoJsonWriter w = new GoJsonWriter().beginObject();
        if (!oauth) {
            w.name("token").value(token);
        }
        w.name("access_token").value(token).name("expires_in").value(advertised.toSeconds())
                .name("issued_at").value(Instant.now().toString());
        String issued = "";
        if (oauth) {
            w.name("token_type").value("Bearer").name("scope").value(String.join(" ", scopes));
            // a refresh keeps the offline access it was issued with, as OAuth2 servers do
            if (issueRefreshTokens && (offline || refreshed)) {
                issued = "refresh-" + UUID.randomUUID();
                refreshTokens.put(issued, new String[] {user, service});
                w.name("refresh_token").value(issued);
            }
            grants.add(new Grant(grantType, presented, issued, 200, withPassword));
        }
        json(ex, 200, w.endObject().toString());
    }

    private String jwt(String subject, String service, List<String> scopes, boolean authenticated)
            throws GeneralSecurityException {
        GoJsonWriter header = new GoJsonWriter().beginObject().name("typ").value("JWT").name("alg").value("RS256")
                .name("x5c").stringArray(List.of(certDerBase64)).endObject();
        long now = Instant.now().getEpochSecond();
        GoJsonWriter claims = new GoJsonWriter().beginObject().name("iss").value(ISSUER).name("sub").value(subject)
                .name("aud").value(service)
                .name("exp").value(now + lifetime.toSeconds() - REGISTRY_LEEWAY.toSeconds()).name("nbf").value(now - 10)
                .name("iat").value(now).name("jti").value(UUID.randomUUID().toString()).name("access").beginArray();
        for (String scope : scopes) {
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            if (first < 0 || last == first) {
                continue;
            }
            List<String> actions = new ArrayList<>();
            for (String a : scope.substring(last + 1).split(",")) {
                if (!a.isEmpty() && (authenticated || a.equals("pull"))) {
                    actions.add(a);
                }
            }
            claims.beginObject().name("type").value(scope.substring(0, first))
                    .name("name").value(scope.substring(first + 1, last))
                    .name("actions").stringArray(actions).endObject();
        }
        claims.endArray().endObject();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.toBytes()) + "." + b64.encodeToString(claims.toBytes());
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(sig.sign());
    }

    private static void json(TestHttpServer.Exchange ex, int status, String body) throws IOException {
        ex.respond(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }
}
