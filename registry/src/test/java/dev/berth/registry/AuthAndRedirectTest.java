package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Reference;
import dev.berth.registry.internal.Challenge;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import dev.berth.testkit.registry.RecordedRequest;
import dev.berth.testkit.registry.RecordingServer;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class AuthAndRedirectTest {
    static final String CANARY = "CANARY-s3cr3t-7f1e";
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    FakeRegistry registry;
    Reference ref;

    @BeforeEach
    void start() {
        registry = FakeRegistry.start();
        ref = Reference.parse(registry.host() + "/test/tiny:1.0");
        TinyPlugin.putInto(registry, "test/tiny", "1.0");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpRegistryResolver resolverWith(String user, String password) {
        return HttpRegistryResolver.builder().retry(FAST)
                .credentials(CredentialProvider.of(Map.of(registry.host(), Credentials.basic(user, password)))).build();
    }

    @Nested
    class Basic {
        @Test
        void resolve_basicChallengeWithCredentials_succeeds() {
            registry.basicAuth("user", CANARY);

            assertThat(resolverWith("user", CANARY).resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
        }

        @Test
        void resolve_basicChallengeWrongPassword_throwsAuthWithoutLoop() {
            registry.basicAuth("user", CANARY);

            assertThatThrownBy(() -> resolverWith("user", "wrong").resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
            assertThat(registry.requests("HEAD", ".*")).hasSize(2);
        }

        @Test
        void resolve_basicChallengeWithoutCredentials_throwsAuth() {
            registry.basicAuth("user", CANARY);

            assertThatThrownBy(() -> HttpRegistryResolver.builder().build().resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
        }
    }

    @Nested
    class Bearer {
        @Test
        void resolve_bearerChallenge_asksForPluginAndRepositoryScopesByOAuthPost() {
            registry.bearerAuth("user", CANARY, false);

            assertThat(resolverWith("user", CANARY).resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);

            RecordedRequest post = registry.requests("POST", "/token").get(0);
            String form = new String(post.body(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(form).contains("grant_type=password", "username=user",
                    "scope=repository%28plugin%29%3Atest%2Ftiny%3Apull+repository%3Atest%2Ftiny%3Apull");
        }

        @Test
        void fetch_tokenCached_isReusedAcrossRequests() throws Exception {
            registry.bearerAuth("user", CANARY, false);
            HttpRegistryResolver resolver = resolverWith("user", CANARY);

            resolver.resolve(ref);
            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                in.readAllBytes();
            }
            try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.CONFIG_DESC)) {
                in.readAllBytes();
            }

            assertThat(registry.requests("POST", "/token")).hasSize(1);
        }

        @Test
        void resolve_anonymousPull_getsTokenByGet() {
            registry.bearerAuth("user", CANARY, true);

            assertThat(HttpRegistryResolver.builder().build().resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
            assertThat(registry.requests("GET", "/token")).hasSize(1);
            assertThat(registry.requests("GET", "/token").get(0).uri())
                    .contains("scope=repository%28plugin%29%3Atest%2Ftiny%3Apull");
        }

        @Test
        void push_withCredentials_getsPushScope() {
            registry.bearerAuth("user", CANARY, false);

            TinyPlugin.push(resolverWith("user", CANARY).pusher(ref));

            assertThat(registry.manifest("test/tiny", "1.0")).hasValue(TinyPlugin.MANIFEST);
        }

        @Test
        void resolve_identityToken_usesTheRefreshTokenGrant() {
            registry.bearerAuth("user", CANARY, false).refreshToken("refresh-" + CANARY);
            HttpRegistryResolver resolver = HttpRegistryResolver.builder().retry(FAST).credentials(CredentialProvider.of(
                    Map.of(registry.host(), Credentials.identityToken("", "refresh-" + CANARY)))).build();

            assertThat(resolver.resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
            String form = new String(registry.requests("POST", "/token").get(0).body(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertThat(form).contains("grant_type=refresh_token", "client_id=berth");
        }

        @Test
        void resolve_tokenServerWithoutPost_fallsBackToGetWithBasic() {
            registry.bearerAuth("user", CANARY, false);
            registry.inject("POST", "/token", 1, Fault.status(405));

            assertThat(resolverWith("user", CANARY).resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);

            RecordedRequest get = registry.requests("GET", "/token").get(0);
            assertThat(get.header("Authorization")).hasValueSatisfying(a -> assertThat(a).startsWith("Basic "));
            assertThat(get.uri()).contains("account=user");
        }

        @Test
        void resolve_tokenEndpoint503Once_isRetried() {
            registry.bearerAuth("user", CANARY, false);
            registry.inject("POST", "/token", 1, Fault.status(503));

            assertThat(resolverWith("user", CANARY).resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
            assertThat(registry.requests("POST", "/token")).hasSize(2);
        }

        @Test
        void resolve_wrongPassword_throwsAuth() {
            registry.bearerAuth("user", CANARY, false);

            assertThatThrownBy(() -> resolverWith("user", "nope").resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
        }
    }

    @Nested
    class Redirects {
        @Test
        void fetch_redirectToLoopbackNameOnAnotherHost_throwsRedirectAndSendsNothing() throws Exception {
            registry.basicAuth("user", CANARY);
            try (RecordingServer cdn = RecordingServer.serving(TinyPlugin.LAYER)) {
                // 127.0.0.1 and localhost are different hosts; a loopback redirect to another host is refused,
                // so the CDN is addressed by name (resolved to loopback by the JDK)
                URI target = URI.create("http://localhost:" + cdn.port() + "/blob?sig=" + CANARY);
                registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.redirect(target));
                HttpRegistryResolver resolver = resolverWith("user", CANARY);

                assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                        .isInstanceOfSatisfying(RegistryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.REDIRECT);
                            assertThat(e.getMessage()).doesNotContain(CANARY);
                        });
                assertThat(cdn.requests()).isEmpty();
            }
        }

        @Test
        void fetch_redirectToSameHostOtherPort_dropsAuthorization() throws Exception {
            registry.basicAuth("user", CANARY);
            try (RecordingServer cdn = RecordingServer.serving(TinyPlugin.LAYER)) {
                URI target = URI.create("http://127.0.0.1:" + cdn.port() + "/blob?sig=x");
                HttpRegistryResolver resolver = resolverWith("user", CANARY);
                resolver.resolve(ref); // the registry has challenged: credentials are in play from now on
                registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.redirect(target));

                try (InputStream in = resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
                }

                assertThat(cdn.requests()).hasSize(1);
                assertThat(cdn.requests().get(0).header("Authorization")).isEmpty();
                String basic = java.util.Base64.getEncoder().encodeToString(("user:" + CANARY).getBytes());
                assertThat(cdn.received(basic)).isFalse();
                assertThat(cdn.received(CANARY)).isFalse();
            }
        }

        @Test
        void fetch_redirectTargetChallenges_getsNoRegistryCredentials() {
            registry.basicAuth("user", CANARY);
            try (FakeRegistry other = FakeRegistry.start()) {
                other.bearerAuth("someone", "else", false);
                HttpRegistryResolver resolver = resolverWith("user", CANARY);
                resolver.resolve(ref);
                registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.redirect(URI.create(other.uri()
                        + "/v2/test/tiny/blobs/" + TinyPlugin.LAYER_DESC.digest())));

                assertThatThrownBy(() -> resolver.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))
                        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
                assertThat(other.requests("POST", "/token")).isEmpty();
                assertThat(other.requests("GET", "/token")).isEmpty();
            }
        }

        @Test
        void fetch_relativeRedirect_keepsAuthorization() throws Exception {
            registry.basicAuth("user", CANARY);
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1,
                    Fault.redirect(307, "/v2/test/tiny/blobs/" + TinyPlugin.LAYER_DESC.digest()));

            try (InputStream in = resolverWith("user", CANARY).fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
            }
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "file scheme, file:///etc/passwd",
            "ftp scheme, ftp://example.com/x",
            "metadata address, http://169.254.169.254/latest/meta-data/",
            "private address, http://10.0.0.1/x",
            "unspecified address, http://0.0.0.0:9999/x",
            "user info, http://user:pw@127.0.0.1:1/x",
        })
        void fetch_redirectToForbiddenTarget_throwsRedirect(String name, String location) {
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 1, Fault.redirect(307, location));

            assertThatThrownBy(() -> HttpRegistryResolver.builder().retry(FAST).build().fetcher(ref)
                    .fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REDIRECT));
        }

        @Test
        void fetch_redirectLoop_throwsRedirectAfterTenHops() {
            registry.inject("GET", "/v2/test/tiny/blobs/.*", 100,
                    Fault.redirect(307, "/v2/test/tiny/blobs/" + TinyPlugin.LAYER_DESC.digest()));

            assertThatThrownBy(() -> HttpRegistryResolver.builder().retry(FAST).build().fetcher(ref)
                    .fetch(TinyPlugin.LAYER_DESC))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REDIRECT));
            assertThat(registry.requests("GET", "/v2/test/tiny/blobs/.*")).hasSize(11);
        }
    }

    @Nested
    class Realm {
        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "http realm for https registry, https://registry.example, http://auth.example/token",
            "metadata realm, https://registry.example, https://169.254.169.254/token",
            "private realm, https://registry.example, https://10.0.0.1/token",
            "loopback realm, https://registry.example, https://127.0.0.1/token",
            "ftp realm, https://registry.example, ftp://auth.example/token",
            "no realm, https://registry.example, ''",
        })
        void checkRealm_forbiddenRealm_throwsAuth(String name, String registryUri, String realm) {
            assertThatThrownBy(() -> RealmCheck.check(URI.create(registryUri), realm))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
        }

        @Test
        void checkRealm_otherPublicHost_isAllowed() {
            assertThat(RealmCheck.check(URI.create("https://registry-1.docker.io"), "https://auth.docker.io/token"))
                    .isEqualTo(URI.create("https://auth.docker.io/token"));
        }
    }

    @Nested
    class ChallengeParsing {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "bearer full      | Bearer realm=\"https://a/token\",service=\"reg\",scope=\"repository:x:pull\" | bearer | https://a/token",
            "basic            | Basic realm=\"test-realm\"                                             | basic  | test-realm",
            "two challenges   | Basic realm=\"b\", Bearer realm=\"https://a\"                           | basic  | b",
            "unquoted         | Bearer realm=https://a/token,service=reg                               | bearer | https://a/token",
        })
        void parse_validHeader_givesSchemeAndRealm(String name, String header, String scheme, String realm) {
            List<Challenge> cs = Challenge.parse(header);

            assertThat(cs).isNotEmpty();
            assertThat(cs.get(0).scheme()).isEqualTo(scheme);
            assertThat(cs.get(0).parameter("realm")).isEqualTo(realm);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "unterminated quote | Bearer realm=\"https://a",
            "garbage            | ===,,,\"",
            "empty              | ''",
        })
        void parse_malformedHeader_givesNoUsableChallenge(String name, String header) {
            List<Challenge> cs = Challenge.parse(header);

            assertThat(cs).allSatisfy(c -> assertThat(c.parameter("realm")).isEmpty());
        }

        @Test
        void parseAll_hugeHeader_isIgnored() {
            assertThat(Challenge.parseAll(List.of("Bearer realm=\"" + "a".repeat(2_000_000) + "\""))).isEmpty();
        }
    }
}
