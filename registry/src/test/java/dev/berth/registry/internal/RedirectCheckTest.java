package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectCheckTest {
    static final URI HTTPS = URI.create("https://registry.example/v2/a/blobs/sha256:x");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "relative path        | /v2/b                           | https://registry.example/v2/b",
        "dot segments         | ../x                            | https://registry.example/v2/a/x",
        "scheme relative      | //cdn.example/blob?sig=1        | https://cdn.example/blob?sig=1",
        "other public host    | https://cdn.example/b           | https://cdn.example/b",
        "same host other port | https://registry.example:8443/b | https://registry.example:8443/b",
    })
    void checkRedirect_allowedTarget_isResolved(String name, String location, String expected) {
        assertThat(Transport.checkRedirect(HTTPS, location, false, "test")).isEqualTo(URI.create(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https to http       | http://cdn.example/b",
        "https to http same  | http://registry.example/v2/b",
        "file                | file:///etc/passwd",
        "jar                 | jar:file:/x.jar!/y",
        "data                | data:text/plain,hi",
        "metadata IPv4       | https://169.254.169.254/latest",
        "private IPv4        | https://10.0.0.1/x",
        "loopback            | https://127.0.0.1:9999/x",
        "unspecified         | https://0.0.0.0/x",
        "IPv6 loopback       | https://[::1]/x",
        "IPv6 unique local   | https://[fd00:ec2::254]/x",
        "user info           | https://user:pw@cdn.example/x",
        "garbage             | 'ht tp://x y'",
    })
    void checkRedirect_forbiddenTarget_throwsRedirect(String name, String location) {
        assertThatThrownBy(() -> Transport.checkRedirect(HTTPS, location, false, "test"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REDIRECT));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "insecure registry may downgrade | http://registry.example/v2/b",
    })
    void checkRedirect_insecureRegistry_allowsHttp(String name, String location) {
        assertThat(Transport.checkRedirect(HTTPS, location, true, "test")).isEqualTo(URI.create(location));
    }
}
