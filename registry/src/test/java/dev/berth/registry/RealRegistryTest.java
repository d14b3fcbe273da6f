package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.internal.json.OciJson;
import dev.berth.oci.Reference;
import dev.berth.remote.Fetcher;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import dev.berth.testkit.registry.RealRegistry;
import dev.berth.testkit.registry.RecordedRequest;
import dev.berth.testkit.registry.TokenServer;
import dev.berth.testkit.registry.Tools;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against the real distribution registry; skipped when it is not installed, failing when CI=true. */
@Timeout(120)
class RealRegistryTest {
    static final String PASSWORD = "CANARY-real-pw-91c3";

    static void pullAll(HttpRegistryResolver resolver, Reference ref) throws Exception {
        assertThat(resolver.resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
        Fetcher f = resolver.fetcher(ref);
        assertThat(f.fetchBytes(TinyPlugin.MANIFEST_DESC, OciJson.MAX_MANIFEST_BYTES)).isEqualTo(TinyPlugin.MANIFEST);
        assertThat(f.fetchBytes(TinyPlugin.CONFIG_DESC, OciJson.MAX_CONFIG_BYTES)).isEqualTo(TinyPlugin.CONFIG);
        try (InputStream in = f.fetch(TinyPlugin.LAYER_DESC)) {
            assertThat(in.readAllBytes()).isEqualTo(TinyPlugin.LAYER);
        }
    }

    @Nested
    class Plain {
        @Test
        void pushThenPull_plugin_roundTripsByteExact(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();

                TinyPlugin.push(resolver.pusher(ref));

                pullAll(resolver, ref);
                // the registry answers 400 for a plugin manifest fetched by tag without the Docker type;
                // resolving worked, so Berth's Accept list carried it
                assertThat(registry.log()).contains("test/tiny");
            }
        }

        @Test
        void resolve_byTag_needsTheDockerTypeInAccept(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();
                TinyPlugin.push(resolver.pusher(ref));
                java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();

                int ociOnly = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(registry.uri() + "/v2/test/tiny/manifests/1.0"))
                        .header("Accept", dev.berth.oci.MediaTypes.OCI_MANIFEST).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();

                assertThat(ociOnly).as("distribution 2.8 cannot down-convert a plugin manifest").isEqualTo(400);
                assertThat(resolver.resolve(ref)).isEqualTo(TinyPlugin.MANIFEST_DESC);
            }
        }

        @Test
        void push_twice_skipsExistingBlobs(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();
                TinyPlugin.push(resolver.pusher(ref));

                var result = resolver.pusher(ref).push(TinyPlugin.LAYER_DESC,
                        dev.berth.remote.BlobSource.of(TinyPlugin.LAYER));

                assertThat(result.outcome()).isEqualTo(dev.berth.remote.PushResult.Outcome.ALREADY_EXISTS);
            }
        }

        @Test
        void push_chunked_isAcceptedByTheRegistry(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference ref = Reference.parse(registry.host() + "/test/chunked:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().chunkedUploadThreshold(100)
                        .chunkSize(128).build();

                TinyPlugin.push(resolver.pusher(ref));

                pullAll(resolver, ref);
            }
        }

        @Test
        void push_mountFromOtherRepository_mounts(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference a = Reference.parse(registry.host() + "/test/a:1");
                Reference b = Reference.parse(registry.host() + "/test/b:1");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();
                TinyPlugin.push(resolver.pusher(a));

                var result = resolver.pusher(b).push(TinyPlugin.LAYER_DESC,
                        dev.berth.remote.BlobSource.of(TinyPlugin.LAYER).withMountFrom(a));

                assertThat(result.outcome()).isEqualTo(dev.berth.remote.PushResult.Outcome.MOUNTED);
            }
        }
    }

    @Nested
    class Htpasswd {
        @Test
        void pushThenPull_withBasicCredentials_works(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.htpasswd(dir, "tester", PASSWORD)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().credentials(
                        CredentialProvider.of(Map.of(registry.host(), Credentials.basic("tester", PASSWORD)))).build();

                TinyPlugin.push(resolver.pusher(ref));

                pullAll(resolver, ref);
            }
        }

        @Test
        void resolve_anonymous_throwsAuth(@TempDir Path dir) throws Exception {
            try (RealRegistry registry = RealRegistry.htpasswd(dir, "tester", PASSWORD)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");

                assertThatThrownBy(() -> HttpRegistryResolver.builder().build().resolve(ref))
                        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH));
            }
        }
    }

    @Nested
    class Token {
        @Test
        void pushThenPull_withTokenAuth_usesOAuthPostAndPluginScope(@TempDir Path dir) throws Exception {
            try (TokenServer tokens = TokenServer.start(dir.resolve("tokens"), Map.of("tester", PASSWORD), true);
                 RealRegistry registry = RealRegistry.token(dir.resolve("registry"), tokens)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().credentials(
                        CredentialProvider.of(Map.of(registry.host(), Credentials.basic("tester", PASSWORD)))).build();

                TinyPlugin.push(resolver.pusher(ref));
                pullAll(resolver, ref);

                List<RecordedRequest> posts = tokens.requests().stream().filter(r -> r.method().equals("POST")).toList();
                assertThat(posts).isNotEmpty();
                assertThat(new String(posts.get(0).body(), StandardCharsets.UTF_8))
                        .contains("scope=repository%28plugin%29%3Atest%2Ftiny%3Apull%2Cpush");
            }
        }

        @Test
        void pushThenPull_twoRepositories_laterTokensComeFromTheRefreshTokenAndWork(@TempDir Path dir)
                throws Exception {
            try (TokenServer tokens = TokenServer.start(dir.resolve("tokens"), Map.of("tester", PASSWORD), false)
                    .issueRefreshTokens();
                 RealRegistry registry = RealRegistry.token(dir.resolve("registry"), tokens)) {
                Reference a = Reference.parse(registry.host() + "/test/a:1.0");
                Reference b = Reference.parse(registry.host() + "/test/b:1.0");
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().credentials(
                        CredentialProvider.of(Map.of(registry.host(), Credentials.basic("tester", PASSWORD)))).build();

                TinyPlugin.push(resolver.pusher(a));
                TinyPlugin.push(resolver.pusher(b));
                pullAll(resolver, a);
                pullAll(resolver, b);

                // the registry verified every token: those from the refresh grant carry the user's access
                List<TokenServer.Grant> grants = tokens.grants();
                assertThat(grants).hasSizeGreaterThan(1);
                assertThat(grants.get(0).grantType()).isEqualTo("password");
                assertThat(grants.subList(1, grants.size())).allSatisfy(g -> {
                    assertThat(g.grantType()).isEqualTo("refresh_token");
                    assertThat(g.withPassword()).isFalse();
                    assertThat(g.status()).isEqualTo(200);
                });
            }
        }

        @Test
        void pull_anonymous_getsPullToken(@TempDir Path dir) throws Exception {
            try (TokenServer tokens = TokenServer.start(dir.resolve("tokens"), Map.of("tester", PASSWORD), true);
                 RealRegistry registry = RealRegistry.token(dir.resolve("registry"), tokens)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                TinyPlugin.push(HttpRegistryResolver.builder().credentials(
                        CredentialProvider.of(Map.of(registry.host(), Credentials.basic("tester", PASSWORD)))).build()
                        .pusher(ref));

                pullAll(HttpRegistryResolver.builder().build(), ref);

                assertThatThrownBy(() -> TinyPlugin.push(HttpRegistryResolver.builder().build()
                        .pusher(Reference.parse(registry.host() + "/test/other:1"))))
                        .isInstanceOf(RegistryException.class);
            }
        }
    }

    @Nested
    class Skopeo {
        @Test
        void inspectRaw_whatBerthPushed_isByteIdentical(@TempDir Path dir) throws Exception {
            Tools.require("skopeo", "skopeo");
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
                TinyPlugin.push(HttpRegistryResolver.builder().build().pusher(ref));

                byte[] raw = Tools.run(List.of("skopeo", "inspect", "--raw", "--tls-verify=false",
                        "docker://" + registry.host() + "/test/tiny:1.0"), new byte[0]);
                byte[] config = Tools.run(List.of("skopeo", "inspect", "--config", "--raw", "--tls-verify=false",
                        "docker://" + registry.host() + "/test/tiny:1.0"), new byte[0]);

                assertThat(raw).isEqualTo(TinyPlugin.MANIFEST);
                assertThat(config).isEqualTo(TinyPlugin.CONFIG);
            }
        }

        @Test
        void pull_whatSkopeoCopied_isThePlugin(@TempDir Path dir) throws Exception {
            Tools.require("skopeo", "skopeo");
            try (RealRegistry registry = RealRegistry.plain(dir)) {
                HttpRegistryResolver resolver = HttpRegistryResolver.builder().build();
                TinyPlugin.push(resolver.pusher(Reference.parse(registry.host() + "/test/tiny:1.0")));

                Tools.run(List.of("skopeo", "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
                        "docker://" + registry.host() + "/test/tiny:1.0",
                        "docker://" + registry.host() + "/copied/tiny:2.0"), new byte[0]);

                pullAll(resolver, Reference.parse(registry.host() + "/copied/tiny:2.0"));
            }
        }
    }
}
