package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.CredentialProvider;
import dev.berth.registry.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerConfigCredentialsTest {
    @TempDir
    Path dir;

    private static String auth(String userColonPassword) {
        return Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
            "https://index.docker.io/v1/, docker.io",
            "index.docker.io, docker.io",
            "localhost:5000, localhost:5000",
            "https://ghcr.io, ghcr.io",
            "http://127.0.0.1:5000/v2/, 127.0.0.1:5000"})
    void host_authsKeys_mapToReferenceHosts(String key, String host) {
        assertThat(DockerConfigCredentials.host(key)).isEqualTo(host);
    }

    @Test
    void load_authEntries_decodeUserAndPasswordWithColons() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"localhost:5000\":{\"auth\":\"" + auth("me:pa:ss")
                + "\"},\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:pw") + "\"}}}");

        CredentialProvider p = DockerConfigCredentials.load(dir);

        assertThat(p.credentials("localhost:5000")).contains(Credentials.basic("me", "pa:ss"));
        assertThat(p.credentials("docker.io")).contains(Credentials.basic("hub", "pw"));
        assertThat(p.credentials("other:1")).isEmpty();
    }

    @Test
    void load_identityToken_isUsed() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + auth("u:")
                + "\",\"identitytoken\":\"tok\"}}}");

        assertThat(DockerConfigCredentials.load(dir).credentials("r.example"))
                .contains(Credentials.identityToken("u", "tok"));
    }

    @Test
    void load_noFile_isAnonymous() {
        assertThat(DockerConfigCredentials.load(dir.resolve("nowhere")).credentials("docker.io")).isEmpty();
    }

    @Test
    void load_invalidJson_failsNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{nope");

        assertThatThrownBy(() -> DockerConfigCredentials.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.json");
    }
}
