package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerConfigCredentialsTest {
    @TempDir
    Path dir;

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    DockerConfigCredentials config(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return DockerConfigCredentials.of(file).withHelperPath(List.of(dir));
    }

    /** Writes a docker-credential-NAME script answering {@code get} with the given JSON, or exit 1 when null. */
    void helper(String name, String answer) throws IOException {
        Path script = dir.resolve("docker-credential-" + name);
        String body = answer == null ? "cat > /dev/null; echo 'credentials not found in native keychain'; exit 1"
                : "read url; echo \"$url\" > " + dir.resolve(name + ".asked") + "; cat <<'JSON'\n" + answer + "\nJSON";
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = get ] || exit 2\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    @Nested
    class Auths {
        @Test
        void credentials_authEntry_decodesUserAndPassword() throws IOException {
            DockerConfigCredentials c = config("{\"auths\":{\"localhost:5000\":{\"auth\":\"" + b64("bob:pw:with:colons") + "\"}}}");

            assertThat(c.credentials("localhost:5000")).hasValue(Credentials.basic("bob", "pw:with:colons"));
        }

        @Test
        void credentials_identityToken_isUsedAsRefreshToken() throws IOException {
            DockerConfigCredentials c = config("{\"auths\":{\"https://ghcr.io\":{\"auth\":\"" + b64("bob:") + "\",\"identitytoken\":\"rt-123\"}}}");

            assertThat(c.credentials("ghcr.io")).hasValue(Credentials.identityToken("bob", "rt-123"));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"})
        void credentials_dockerHubAlias_matchesDockerIo(String key) throws IOException {
            DockerConfigCredentials c = config("{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64("hub:pw") + "\"}}}");

            assertThat(c.credentials("docker.io")).hasValue(Credentials.basic("hub", "pw"));
        }

        @Test
        void credentials_otherHost_isEmpty() throws IOException {
            DockerConfigCredentials c = config("{\"auths\":{\"a.example\":{\"auth\":\"" + b64("x:y") + "\"}}}");

            assertThat(c.credentials("b.example")).isEmpty();
        }

        @Test
        void credentials_noFile_isEmpty() {
            assertThat(DockerConfigCredentials.of(dir.resolve("missing.json")).credentials("x")).isEmpty();
        }

        @Test
        void credentials_brokenFile_isEmpty() throws IOException {
            assertThat(config("{not json").credentials("x")).isEmpty();
        }
    }

    @Nested
    class Helpers {
        @Test
        void credentials_credHelperForHost_winsOverCredsStoreAndAuths() throws IOException {
            helper("one", "{\"ServerURL\":\"r.example\",\"Username\":\"u1\",\"Secret\":\"s1\"}");
            helper("store", "{\"ServerURL\":\"r.example\",\"Username\":\"u2\",\"Secret\":\"s2\"}");
            DockerConfigCredentials c = config("{\"credHelpers\":{\"r.example\":\"one\"},\"credsStore\":\"store\","
                    + "\"auths\":{\"r.example\":{\"auth\":\"" + b64("u3:s3") + "\"}}}");

            assertThat(c.credentials("r.example")).hasValue(Credentials.basic("u1", "s1"));
            assertThat(c.credentials("other.example")).hasValue(Credentials.basic("u2", "s2"));
        }

        @Test
        void credentials_helperTokenUser_givesIdentityToken() throws IOException {
            helper("tok", "{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"refresh-1\"}");
            DockerConfigCredentials c = config("{\"credsStore\":\"tok\"}");

            assertThat(c.credentials("docker.io")).hasValue(Credentials.identityToken("", "refresh-1"));
            assertThat(Files.readString(dir.resolve("tok.asked")).strip()).isEqualTo("https://index.docker.io/v1/");
        }

        @Test
        void credentials_helperHasNothing_isEmpty() throws IOException {
            helper("none", null);
            DockerConfigCredentials c = config("{\"credsStore\":\"none\"}");

            assertThat(c.credentials("r.example")).isEmpty();
        }

        @Test
        void credentials_helperNameWithPath_isRefused() throws IOException {
            DockerConfigCredentials c = config("{\"credsStore\":\"../../bin/sh\"}");

            assertThat(c.credentials("r.example")).isEqualTo(Optional.empty());
        }
    }
}
