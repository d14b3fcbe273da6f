package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.berth.oci.Reference;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.Fault;
import dev.berth.testkit.registry.RecordingServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential oracle: a canary password and the Basic header made from it must appear in no
 * exception message or stack trace, no toString and no log line, across the failure paths.
 */
@Timeout(60)
class SecretLeakTest {
    static final String CANARY = "CANARY-9d2b-never-print-me";
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .withMaxAttempts(2);

    static String text(Throwable t) {
        if (t == null) {
            return "";
        }
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void everyFailurePath_withCanaryCredentials_neverShowsTheSecret(@TempDir Path dir) throws Exception {
        List<String> seen = new ArrayList<>();
        String basic = Base64.getEncoder().encodeToString(("user:" + CANARY).getBytes());
        Credentials creds = Credentials.basic("user", CANARY);
        seen.add(creds.toString());
        Path configFile = dir.resolve("config.json");
        Files.writeString(configFile, "{\"auths\":{\"x\":{\"auth\":\"" + basic + "\"}}, broken");
        DockerConfigCredentials docker = DockerConfigCredentials.of(configFile);
        seen.add(docker.toString());
        seen.add(String.valueOf(docker.credentials("x")));

        try (FakeRegistry registry = FakeRegistry.start(); RecordingServer cdn = RecordingServer.serving(new byte[0])) {
            Reference ref = Reference.parse(registry.host() + "/test/tiny:1.0");
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            HttpRegistryResolver wrong = HttpRegistryResolver.builder().retry(FAST)
                    .credentials(CredentialProvider.of(Map.of(registry.host(), Credentials.basic("user", CANARY + "x"))))
                    .build();
            HttpRegistryResolver right = HttpRegistryResolver.builder().retry(FAST)
                    .credentials(CredentialProvider.of(Map.of(registry.host(), creds))).build();
            seen.add(right.toString());

            registry.basicAuth("user", CANARY);
            seen.add(text(catchThrowable(() -> wrong.resolve(ref))));

            registry.bearerAuth("user", CANARY, false);
            seen.add(text(catchThrowable(() -> wrong.resolve(ref))));
            seen.add(text(catchThrowable(() -> TinyPlugin.push(wrong.pusher(ref)))));

            registry.basicAuth("user", CANARY);
            right.resolve(ref); // challenged: the redirects below happen with credentials in play
            registry.inject("GET", "/v2/.*/blobs/.*", 1, Fault.redirect(URI.create("http://localhost:" + cdn.port()
                    + "/x?sig=" + CANARY)));
            seen.add(text(catchThrowable(() -> right.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))));
            registry.inject("GET", "/v2/.*/blobs/.*", 1, Fault.redirect(URI.create("http://127.0.0.1:" + cdn.port()
                    + "/x?sig=" + CANARY)));
            seen.add(text(catchThrowable(() -> {
                try (InputStream in = right.fetcher(ref).fetch(TinyPlugin.LAYER_DESC)) {
                    in.readAllBytes();
                }
            })));
            registry.inject("GET", "/v2/.*/blobs/.*", 10, Fault.status(503));
            seen.add(text(catchThrowable(() -> right.fetcher(ref).fetch(TinyPlugin.LAYER_DESC))));

            assertThat(cdn.requests()).as("the same-host redirect was followed").hasSize(1);
            assertThat(cdn.received(basic)).isFalse();
        }

        String log = Files.exists(Path.of(System.getProperty("berth.test.log", "/nonexistent")))
                ? Files.readString(Path.of(System.getProperty("berth.test.log"))) : "";
        seen.add(log);
        assertThat(String.join("\n", seen)).doesNotContain(CANARY).doesNotContain(basic);
    }

    /**
     * A remembered refresh token (and the password) must not show when a refresh fails or is refused and
     * the fallback fails too, even from a token server that echoes what it was sent in its errors.
     */
    @Test
    void refreshTokenFailurePaths_withAnEchoingTokenServer_neverShowTheSecrets() throws Exception {
        String refresh = "CANARY-refresh-0b6e-never-print-me";
        String basic = Base64.getEncoder().encodeToString(("user:" + CANARY).getBytes());
        List<String> seen = new ArrayList<>();
        try (FakeRegistry registry = FakeRegistry.start()) {
            TinyPlugin.putInto(registry, "test/tiny", "1.0");
            TinyPlugin.putInto(registry, "test/other", "1.0");
            Map<String, String> json = Map.of("Content-Type", "application/json");
            registry.inject("HEAD", "/v2/test/tiny/manifests/.*", 1, new Fault.Status(401, Map.of("WWW-Authenticate",
                    "Bearer realm=\"" + registry.uri() + "/token\",service=\"fake\""), ""));
            registry.inject("POST", "/token", 1, new Fault.Status(200, json,
                    "{\"access_token\":\"t1\",\"expires_in\":300,\"refresh_token\":\"" + refresh + "\"}"));
            HttpRegistryResolver resolver = HttpRegistryResolver.builder().retry(FAST)
                    .credentials(CredentialProvider.of(Map.of(registry.host(), Credentials.basic("user", CANARY))))
                    .build();
            resolver.resolve(Reference.parse(registry.host() + "/test/tiny:1.0"));
            seen.add(resolver.toString());
            Reference other = Reference.parse(registry.host() + "/test/other:1.0");

            // the refresh fails in a way that is reported: the refresh token is kept for later
            registry.inject("POST", "/token", 1, new Fault.Status(403, json,
                    "{\"error\":\"access_denied\",\"error_description\":\"refresh_token=" + refresh + "\"}"));
            seen.add(text(catchThrowable(() -> resolver.resolve(other))));
            // refused, then the password POST and the GET fallback are refused too, each echoing the secret
            registry.inject("POST", "/token", 1, new Fault.Status(400, json,
                    "{\"error\":\"invalid_grant\",\"error_description\":\"" + refresh + " expired\"}"));
            registry.inject("POST", "/token", 1, new Fault.Status(401, json,
                    "{\"error\":\"invalid_grant\",\"error_description\":\"password=" + CANARY + "\"}"));
            registry.inject("GET", "/token", 1, new Fault.Status(401, json,
                    "{\"details\":\"Basic " + basic + " for " + CANARY + "\"}"));
            Throwable last = catchThrowable(() -> resolver.resolve(other));
            seen.add(text(last));

            List<String> forms = registry.requests("POST", "/token").stream()
                    .map(r -> new String(r.body(), StandardCharsets.UTF_8)).toList();
            assertThat(forms).as("the paths above were taken").hasSize(4);
            assertThat(forms.get(1)).contains("grant_type=refresh_token", "refresh_token=" + refresh);
            assertThat(forms.get(2)).contains("refresh_token=" + refresh);
            assertThat(forms.get(3)).contains("grant_type=password");
            assertThat(last).hasMessageContaining("<redacted>");
        }

        String log = Files.exists(Path.of(System.getProperty("berth.test.log", "/nonexistent")))
                ? Files.readString(Path.of(System.getProperty("berth.test.log"))) : "";
        seen.add(log);
        assertThat(String.join("\n", seen)).doesNotContain(CANARY).doesNotContain(refresh).doesNotContain(basic);
    }
}
