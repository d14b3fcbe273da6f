package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RemoteTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "oci:/tmp/my-layout:1.0,           /tmp/my-layout,   oci-layout.invalid/my-layout:1.0",
            "oci:/tmp/my-layout,               /tmp/my-layout,   oci-layout.invalid/my-layout:latest",
            "oci:/tmp/a:b/Dir_X:v2,            /tmp/a:b/Dir_X,   oci-layout.invalid/dir-x:v2",
            "oci:/tmp/dir:with/slash,          /tmp/dir:with/slash, oci-layout.invalid/slash:latest",
            "oci:/tmp/x/../y:1,                /tmp/y,           oci-layout.invalid/y:1",
    })
    void parse_ociRemotes_mapToTheLayoutDomain(String text, String dir, String reference) {
        Remote r = Remote.parse(text);

        assertThat(r.layout()).contains(Path.of(dir));
        assertThat(r.reference()).isEqualTo(reference);
        assertThat(r.typed()).isEqualTo(text);
        assertThat(Remote.isLayoutReference(r.reference())).isTrue();
    }

    @Test
    void parse_registryReference_isPassedThrough() {
        Remote r = Remote.parse("localhost:5000/acme/p:1.0");

        assertThat(r.layout()).isEmpty();
        assertThat(r.reference()).isEqualTo("localhost:5000/acme/p:1.0");
        assertThat(r.defaultAlias()).isEqualTo(Optional.empty());
        assertThat(Remote.isLayoutReference(r.reference())).isFalse();
    }

    @Test
    void defaultAlias_ofLayout_isDirectoryAndTag() {
        assertThat(Remote.parse("oci:/tmp/plugins:3").defaultAlias()).contains("plugins:3");
    }

    @Test
    void parse_emptyDirectory_isRejected() {
        assertThatThrownBy(() -> Remote.parse("oci::1.0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oci:DIR");
    }
}
