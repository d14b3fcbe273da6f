package dev.berth.registry.internal;

import dev.berth.internal.http.StreamBody;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.JsonObject;
import dev.berth.registry.CredentialProvider;
import dev.berth.registry.Credentials;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers registry challenges: Basic with the host's credentials, Bearer with a token from the realm
 * (OAuth2 POST first when there are credentials, as dockerd does, with the GET flow as fallback), tokens
 * cached per origin and scope set until shortly before they expire. Realms are checked before any
 * credential leaves: http(s) only, no https-to-http downgrade, no private or loopback address unless the
 * registry itself is there. Thread-safe.
 *
 * <p>Refresh tokens: when an OAuth2 POST answer carries a {@code refresh_token}, it is remembered per
 * registry host, realm and service, together with the credentials that earned it, and the next token
 * request there (another scope set, or a renewal) uses {@code grant_type=refresh_token} with it instead of
 * sending the password again, as docker/distribution's token handler does. A rotated refresh token in an
 * answer replaces the remembered one. A refusal of the refresh (400 or 401: expired, revoked, or rotated
 * away by a concurrent request) forgets it and falls back to the configured credentials; any other failure
 * is reported as it is. A refresh token is only used while the host's credentials are still the ones that
 * earned it, and it never appears in a log line, a {@code toString} or an exception message.
 */
final class Authorizer {
    /** The largest token response read. */
    static final int MAX_TOKEN_RESPONSE = 1 << 20;
    /** Docker's default when a token server gives no {@code expires_in}. */
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(24);
    /** Renew this long before expiry so a token never expires in flight. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    static final String CLIENT_ID = "berth";
    private static final Logger LOG = LoggerFactory.getLogger(Authorizer.class);

    private final Transport transport;
    private final CredentialProvider credentials;
    private final Clock clock;
    private final ConcurrentMap<String, HostState> hosts = new ConcurrentHashMap<>();
    /** Refresh tokens by {@link #refreshKey}. */
    private final ConcurrentMap<String, RefreshToken> refreshTokens = new ConcurrentHashMap<>();

    private static final class HostState {
        volatile Challenge challenge;
        final ConcurrentMap<String, Token> tokens = new ConcurrentHashMap<>();
    }

    private record Token(String value, Instant expires) {
        @Override
        public String toString() {
            return "Token[expires=" + expires + "]";
        }
    }

    /** A refresh token and the credentials whose grant returned it. */
    private record RefreshToken(String value, Credentials earnedWith) {
        @Override
        public String toString() {
            return "RefreshToken[<redacted>]";
        }
    }

    /** A token server's answer: the token and, if the answer had one, a refresh token (else empty). */
    private record Issued(Token token, String refreshToken) {
        @Override
        public String toString() {
            return "Issued[" + token + "]";
        }
    }

    Authorizer(Transport transport, CredentialProvider credentials, Clock clock) {
        this.transport = transport;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** Forgets every challenge, token and refresh token. */
    void clear() {
        hosts.clear();
        refreshTokens.clear();
    }

    /** The Authorization value for a request to {@code uri}, if a challenge from its origin is known. */
    Optional<String> authorization(String registry, URI uri, List<String> scopes) {
        HostState state = hosts.get(key(registry, uri));
        if (state == null || state.challenge == null) {
            return Optional.empty();
        }
        Challenge challenge = state.challenge;
        if (challenge.scheme().equals("basic")) {
            return credentials.credentials(registry).filter(c -> c.identityToken().isEmpty()).map(Authorizer::basic);
        }
        String scopeKey = String.join(" ", scopes);
        Token token = state.tokens.get(scopeKey);
        if (token == null || !clock.instant().plus(EXPIRY_MARGIN).isBefore(token.expires())) {
            // a known realm: get the token for this scope set now instead of provoking another 401
            token = fetchToken(registry, uri, challenge, scopes);
            state.tokens.put(scopeKey, token);
        }
        return Optional.of("Bearer " + token.value());
    }

    /**
     * Records a 401's challenges and prepares the authorization for the retry.
     *
     * @throws RegistryException AUTH when no supported challenge is offered, credentials are missing
     *                           for Basic, or the realm is refused or refuses
     */
    void challenged(String registry, URI uri, List<Challenge> challenges, List<String> scopes) {
        Challenge bearer = challenges.stream().filter(c -> c.scheme().equals("bearer")).findFirst().orElse(null);
        Challenge basic = challenges.stream().filter(c -> c.scheme().equals("basic")).findFirst().orElse(null);
        HostState state = hosts.computeIfAbsent(key(registry, uri), k -> new HostState());
        if (bearer != null) {
            state.challenge = bearer;
            List<String> wanted = new ArrayList<>(scopes);
            // insufficient_scope (or a first challenge on a repository) names the scope the registry wants
            for (String s : bearer.parameter("scope").split(" ")) {
                if (!s.isBlank() && !wanted.contains(s)) {
                    wanted.add(s);
                }
            }
            state.tokens.put(String.join(" ", scopes), fetchToken(registry, uri, bearer, wanted));
            return;
        }
        if (basic != null) {
            state.challenge = basic;
            Optional<Credentials> c = credentials.credentials(registry);
            if (c.isEmpty() || c.get().identityToken().isPresent()) {
                throw new RegistryException(Reason.AUTH, registry + ": authentication required and no user name and"
                        + " password are configured");
            }
            return;
        }
        throw new RegistryException(Reason.AUTH, registry + ": no supported authentication challenge (got "
                + challenges.stream().map(Challenge::scheme).toList() + ")");
    }

    private Token fetchToken(String registry, URI registryUri, Challenge challenge, List<String> scopes) {
        URI realm = checkRealm(registry, registryUri, challenge.parameter("realm"));
        String service = challenge.parameter("service");
        Optional<Credentials> creds = credentials.credentials(registry);
        if (creds.isPresent()) {
            Credentials c = creds.get();
            String refreshKey = refreshKey(registry, realm, service);
            Optional<Token> refreshed = refresh(registry, realm, service, scopes, c, refreshKey);
            if (refreshed.isPresent()) {
                return refreshed.get();
            }
            Response post = postToken(realm, service, scopes, grant(c));
            int status = post.status();
            if (status == 200) {
                return remember(refreshKey, c, readToken(registry, post));
            }
            String text = post.errorText();
            post.close();
            boolean fallback = c.identityToken().isEmpty() && (status == 404 || status == 405 || status == 401);
            if (!fallback) {
                throw tokenError(registry, status, scrub(text, c));
            }
        }
        Response get = getToken(registry, realm, service, scopes, creds);
        if (get.status() != 200) {
            String text = get.errorText();
            int status = get.status();
            get.close();
            throw tokenError(registry, status, creds.map(c -> scrub(text, c)).orElse(text));
        }
        // a refresh_token in a GET answer is not kept: the POST it would need is what this server lacked
        return readToken(registry, get).token();
    }

    /**
     * A token by the refresh token remembered under {@code refreshKey}, if there is one for {@code c};
     * empty when there is none or the token server refused it (it is forgotten then).
     *
     * @throws RegistryException when the refresh failed otherwise (403, a server error, a bad answer)
     */
    private Optional<Token> refresh(String registry, URI realm, String service, List<String> scopes, Credentials c,
                                    String refreshKey) {
        RefreshToken remembered = refreshTokens.get(refreshKey);
        if (remembered == null) {
            return Optional.empty();
        }
        if (!remembered.earnedWith().equals(c)) {
            // the host's credentials changed since: the old refresh token may belong to another account
            refreshTokens.remove(refreshKey, remembered);
            return Optional.empty();
        }
        Response post = postToken(realm, service, scopes, "grant_type=refresh_token&refresh_token="
                + enc(remembered.value()));
        int status = post.status();
        if (status == 200) {
            return Optional.of(remember(refreshKey, c, readToken(registry, post)));
        }
        String text = post.errorText();
        post.close();
        if (status == 400 || status == 401) {
            // expired, revoked, or rotated away by a concurrent refresh: the credentials still work
            refreshTokens.remove(refreshKey, remembered);
            LOG.debug("{}: the token server refused the refresh token ({}), using the credentials again", registry,
                    status);
            return Optional.empty();
        }
        throw tokenError(registry, status, scrub(text, c, remembered.value()));
    }

    /** Keeps the answer's refresh token, if it has one, for the next request under {@code refreshKey}. */
    private Token remember(String refreshKey, Credentials c, Issued issued) {
        String value = issued.refreshToken();
        // an identity token is used anyway; keeping a copy of it would only duplicate the secret
        if (!value.isEmpty() && !c.identityToken().map(value::equals).orElse(false)) {
            refreshTokens.put(refreshKey, new RefreshToken(value, c));
        }
        return issued.token();
    }

    /** The form fields of the grant the credentials themselves make. */
    private static String grant(Credentials c) {
        if (c.identityToken().isPresent()) {
            return "grant_type=refresh_token&refresh_token=" + enc(c.identityToken().get());
        }
        return "grant_type=password&username=" + enc(c.username()) + "&password=" + enc(c.password());
    }

    private Response postToken(URI realm, String service, List<String> scopes, String grant) {
        StringBuilder form = new StringBuilder(grant);
        form.append("&client_id=").append(CLIENT_ID).append("&access_type=offline");
        if (!service.isEmpty()) {
            form.append("&service=").append(enc(service));
        }
        if (!scopes.isEmpty()) {
            form.append("&scope=").append(enc(String.join(" ", scopes)));
        }
        byte[] body = form.toString().getBytes(StandardCharsets.UTF_8);
        Request r = new Request("POST", realm,
                List.<String[]>of(new String[] {"Content-Type", "application/x-www-form-urlencoded"}),
                Optional.of(() -> StreamBody.of(body)), Optional.empty(), List.of(),
                Optional.empty(), isInsecureRealm(realm));
        return transport.send(r);
    }

    private Response getToken(String registry, URI realm, String service, List<String> scopes,
                              Optional<Credentials> creds) {
        StringBuilder q = new StringBuilder();
        if (!service.isEmpty()) {
            q.append("service=").append(enc(service));
        }
        for (String s : scopes) {
            q.append(q.length() > 0 ? "&" : "").append("scope=").append(enc(s));
        }
        Optional<String> auth = Optional.empty();
        if (creds.isPresent() && creds.get().identityToken().isEmpty()) {
            q.append(q.length() > 0 ? "&" : "").append("account=").append(enc(creds.get().username()));
            auth = Optional.of(basic(creds.get()));
        }
        String base = realm.toString();
        URI uri = URI.create(base + (realm.getRawQuery() == null ? "?" : "&") + q);
        Request r = new Request("GET", uri, List.of(), Optional.empty(), Optional.empty(), List.of(), auth,
                isInsecureRealm(realm));
        return transport.send(r);
    }

    private static boolean isInsecureRealm(URI realm) {
        return realm.getScheme().equalsIgnoreCase("http");
    }

    private Issued readToken(String registry, Response response) {
        try (response) {
            byte[] bytes = response.readBounded(MAX_TOKEN_RESPONSE);
            if (bytes == null) {
                throw new RegistryException(Reason.LIMIT, registry + ": token response larger than "
                        + MAX_TOKEN_RESPONSE + " bytes");
            }
            JsonObject o;
            try {
                o = Json.parseObject(bytes, MAX_TOKEN_RESPONSE);
            } catch (JsonException e) {
                throw new RegistryException(Reason.AUTH, registry + ": the token server's answer is not a JSON object");
            }
            String token = stringOrEmpty(o, "token");
            if (token.isBlank()) {
                token = stringOrEmpty(o, "access_token");
            }
            if (token.isBlank()) {
                throw new RegistryException(Reason.AUTH, registry + ": the token server returned no token");
            }
            Duration lifetime = DEFAULT_TOKEN_LIFETIME;
            if (o.get("expires_in") instanceof java.math.BigDecimal n && n.signum() > 0) {
                lifetime = n.compareTo(java.math.BigDecimal.valueOf(MAX_TOKEN_LIFETIME.toSeconds())) > 0
                        ? MAX_TOKEN_LIFETIME : Duration.ofSeconds(n.longValue());
            }
            Instant issued = clock.instant();
            String issuedAt = stringOrEmpty(o, "issued_at");
            if (!issuedAt.isEmpty()) {
                try {
                    Instant i = Instant.parse(issuedAt);
                    // a server clock ahead of ours must not extend the token's life
                    issued = i.isBefore(issued) ? i : issued;
                } catch (DateTimeParseException e) {
                    // keep our own clock
                }
            }
            return new Issued(new Token(token, issued.plus(lifetime)), stringOrEmpty(o, "refresh_token"));
        } catch (IOException e) {
            throw new RegistryException(Reason.UNAVAILABLE, registry + ": reading the token response failed: "
                    + Transport.safeMessage(e), e);
        }
    }

    private static String stringOrEmpty(JsonObject o, String key) {
        Object v = o.get(key);
        return v instanceof String s ? s : "";
    }

    /**
     * {@code text} (a token server's error answer) with the credentials' secrets and {@code more} replaced:
     * a server that echoes the form it was sent must not put a password into an exception message.
     */
    private static String scrub(String text, Credentials c, String... more) {
        String out = text;
        List<String> secrets = new ArrayList<>(List.of(more));
        secrets.add(c.password());
        c.identityToken().ifPresent(secrets::add);
        if (!c.password().isEmpty()) {
            secrets.add(basic(c).substring("Basic ".length())); // what the GET flow sent
        }
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, "<redacted>").replace(enc(secret), "<redacted>");
            }
        }
        return out;
    }

    private static RegistryException tokenError(String registry, int status, String text) {
        String detail = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        if (status == 401) {
            return new RegistryException(Reason.AUTH, registry + ": token request refused (401): " + detail);
        }
        if (status == 403) {
            return new RegistryException(Reason.DENIED, registry + ": token request denied (403): " + detail);
        }
        if (status == 429 || status >= 500 || status == 408) {
            return new RegistryException(Reason.UNAVAILABLE, registry + ": token server answered " + status);
        }
        return new RegistryException(Reason.AUTH, registry + ": token server answered " + status + ": " + detail);
    }

    static URI checkRealm(String registry, URI registryUri, String realmText) {
        if (realmText.isEmpty()) {
            throw new RegistryException(Reason.AUTH, registry + ": Bearer challenge without a realm");
        }
        URI realm;
        try {
            realm = new URI(realmText);
        } catch (URISyntaxException e) {
            throw new RegistryException(Reason.AUTH, registry + ": the token realm is not a valid URL");
        }
        String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RegistryException(Reason.AUTH, registry + ": the token realm must be an http(s) URL");
        }
        if (realm.getHost() == null || realm.getRawUserInfo() != null) {
            throw new RegistryException(Reason.AUTH, registry + ": the token realm must name a host and no user");
        }
        if (registryUri.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            throw new RegistryException(Reason.AUTH, registry + ": an https registry may not send credentials to an"
                    + " http token realm (" + Urls.redact(realm) + ")");
        }
        boolean sameHost = realm.getHost().equalsIgnoreCase(registryUri.getHost());
        boolean bothLoopback = Urls.isLoopback(realm.getHost()) && Urls.isLoopback(registryUri.getHost());
        if (!sameHost && !bothLoopback && Urls.isForbiddenLiteral(realm.getHost())) {
            throw new RegistryException(Reason.AUTH, registry + ": the token realm points at a private or loopback"
                    + " address (" + Urls.redact(realm) + ")");
        }
        return realm;
    }

    private static String key(String registry, URI uri) {
        return registry + "|" + Urls.origin(uri);
    }

    /** Where a refresh token is valid: docker/distribution keys them by realm and service; Berth adds the host. */
    private static String refreshKey(String registry, URI realm, String service) {
        return registry + "|" + realm + "|" + service;
    }

    private static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

}
