package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes the Docker config reader ({@code ~/.docker/config.json}: {@code auths}, {@code credsStore},
 * {@code credHelpers}) with a fuzzed file and a fuzzed host. Invariant: {@code credentials} never throws —
 * an unreadable file or entry is anonymous access, as Docker's CLI treats it — and what it returns is whole
 * (no null fields; an identity token is never also a password). The helper path is an empty directory, so no
 * helper ever runs whatever the file names; any exception is a finding.
 *
 * <p>Seeds: {@code src/test/resources/dev/berth/registry/DockerConfigCredentialsFuzzTestInputs/credentials/}.
 */
class DockerConfigCredentialsFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void credentials(FuzzedDataProvider data) throws IOException {
        String host = data.consumeString(80);
        byte[] config = data.consumeRemainingAsBytes();
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = Files.write(fs.getPath("/config.json"), config);
            Path helpers = Files.createDirectory(fs.getPath("/helpers"));
            DockerConfigCredentials reader = DockerConfigCredentials.of(file).withHelperPath(List.of(helpers));

            for (String h : new String[] {host, "registry.example:5000", "docker.io"}) {
                Optional<Credentials> found = reader.credentials(h);
                found.ifPresent(c -> {
                    assertThat(c.username()).isNotNull();
                    assertThat(c.password()).isNotNull();
                    c.identityToken().ifPresent(token -> assertThat(c.password()).isEmpty());
                });
            }
            assertThat(DockerConfigCredentials.normalize(host)).isNotNull().doesNotContain("/");
        }
    }
}
