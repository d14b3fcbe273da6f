package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.berth.oci.Reference;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import dev.berth.testkit.registry.RecordedRequest;
import dev.berth.testkit.registry.TokenServer.Grant;
import dev.berth.testkit.registry.TokenServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAuth2 refresh tokens, as docker/distribution's token handler keeps them: the refresh token from one
 * grant is used for the token requests of later scopes instead of the password. The registry is an
 * anonymous {@link FakeRegistry} whose first manifest request is answered with a Bearer challenge naming
 * the {@link TokenServer}'s realm; every later scope is then fetched for the known realm directly.
 */
@Timeout(60)
class RefreshTokenTest {
    static final String PASSWORD = "CANARY-refresh-pw-41c7";
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    Path dir;
    TokenServer tokens;
    FakeRegistry registry;

    @BeforeEach
    void start() throws Exception {
        tokens = TokenServer.start(dir, Map.of("user", PASSWORD, "other", "other-password"), false)
                .issueRefreshTokens();
        registry = FakeRegistry.start();
        for (String repo : List.of("test/a", "test/b", "test/c")) {
            TinyPlugin.putInto(registry, repo, "1.0");
        }
        challengeOnce();
    }

    /** The next manifest request for test/a gets a Bearer challenge for the token server's realm. */
    void challengeOnce() {
        registry.inject("HEAD", "/v2/test/a/manifests/.*", 1, new Fault.Status(401, Map.of("WWW-Authenticate",
                "Bearer realm=\"" + tokens.realm() + "\",service=\"" + TokenServer.SERVICE
                        + "\",scope=\"repository:test/a:pull\""), ""));
    }

    @AfterEach
    void stop() {
        registry.close();
        tokens.close();
    }

    Reference ref(String repo) {
        return Reference.parse(registry.host() + "/" + repo + ":1.0");
    }

    HttpRegistryResolver resolver(CredentialProvider credentials) {
        return HttpRegistryResolver.builder().retry(FAST).credentials(credentials).build();
    }

    HttpRegistryResolver resolver() {
        return resolver(CredentialProvider.of(Map.of(registry.host(), Credentials.basic("user", PASSWORD))));
    }

    String form(int post) {
        List<RecordedRequest> posts = tokens.requests().stream().filter(r -> r.method().equals("POST")).toList();
        return new String(posts.get(post).body(), StandardCharsets.UTF_8);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void resolve_secondScope_usesTheRefreshTokenFromTheFirstGrantInsteadOfThePassword() {
        HttpRegistryResolver resolver = resolver();

        assertThat(resolver.resolve(ref("test/a"))).isEqualTo(TinyPlugin.MANIFEST_DESC);
        assertThat(resolver.resolve(ref("test/b"))).isEqualTo(TinyPlugin.MANIFEST_DESC);

        List<Grant> grants = tokens.grants();
        assertThat(grants).extracting(Grant::grantType).containsExactly("password", "refresh_token");
        String first = grants.get(0).issued();
        assertThat(first).isNotEmpty();
        assertThat(grants.get(1).presented()).isEqualTo(first);
        assertThat(grants.get(1).status()).isEqualTo(200);
        assertThat(form(1)).contains("grant_type=refresh_token", "refresh_token=" + enc(first),
                        "service=" + enc(TokenServer.SERVICE), "scope=" + enc("repository(plugin):test/b:pull"))
                .doesNotContain("password", PASSWORD, "username=");
        assertThat(registry.requests("HEAD", "/v2/test/b/manifests/.*")).singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).hasValueSatisfying(
                        a -> assertThat(a).startsWith("Bearer ")));
    }

    @Test
    void resolve_refreshRefused_fallsBackToThePasswordGrantAndKeepsItsNewRefreshToken() {
        HttpRegistryResolver resolver = resolver();
        resolver.resolve(ref("test/a"));
        tokens.revokeRefreshTokens();

        assertThat(resolver.resolve(ref("test/b"))).isEqualTo(TinyPlugin.MANIFEST_DESC);
        assertThat(resolver.resolve(ref("test/c"))).isEqualTo(TinyPlugin.MANIFEST_DESC);

        List<Grant> grants = tokens.grants();
        assertThat(grants).extracting(Grant::grantType, Grant::status).containsExactly(
                tuple("password", 200),
                tuple("refresh_token", 400),
                tuple("password", 200),
                tuple("refresh_token", 200));
        assertThat(grants.get(1).presented()).isEqualTo(grants.get(0).issued());
        assertThat(grants.get(3).presented()).isEqualTo(grants.get(2).issued());
    }

    @Test
    void resolve_rotatedRefreshToken_theNewOneIsUsedNext() {
        HttpRegistryResolver resolver = resolver();

        resolver.resolve(ref("test/a"));
        resolver.resolve(ref("test/b"));
        resolver.resolve(ref("test/c"));

        // the server invalidates a refresh token once used: keeping the first one would cost a refusal
        List<Grant> grants = tokens.grants();
        assertThat(grants).extracting(Grant::grantType).containsExactly("password", "refresh_token",
                "refresh_token");
        assertThat(grants.get(2).presented()).isEqualTo(grants.get(1).issued());
        assertThat(grants.get(2).status()).isEqualTo(200);
    }

    @Test
    void resolve_credentialsChangedSinceTheGrant_doesNotUseTheOldAccountsRefreshToken() {
        AtomicReference<Credentials> current = new AtomicReference<>(Credentials.basic("user", PASSWORD));
        HttpRegistryResolver resolver = resolver(host -> Optional.of(current.get()));
        resolver.resolve(ref("test/a"));
        current.set(Credentials.basic("other", "other-password"));

        resolver.resolve(ref("test/b"));

        assertThat(tokens.grants()).extracting(Grant::grantType).containsExactly("password", "password");
        assertThat(form(1)).contains("username=other");
    }

    @Test
    void resolve_anotherResolver_sharesNoRefreshToken() {
        resolver().resolve(ref("test/a"));

        HttpRegistryResolver second = resolver();
        challengeOnce();
        second.resolve(ref("test/a"));

        assertThat(tokens.grants()).extracting(Grant::grantType).containsExactly("password", "password");
    }
}
