package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.PlatformNotFoundException;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PlatformTest {
    @ParameterizedTest
    @CsvSource({"linux/amd64,linux/amd64", "Linux/x86_64,linux/amd64", "linux/aarch64/v8,linux/arm64/v8",
            "linux/arm/v7,linux/arm/v7", "windows/amd64,windows/amd64"})
    void parse_validText_normalizes(String text, String expected) {
        assertThat(Platform.parse(text)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux/amd64/v8/x", "linux/am d64", "linux/\"x\""})
    void parse_malformed_throwsNamingTheInput(String text) {
        assertThatThrownBy(() -> Platform.parse(text)).isInstanceOf(InvalidPlatformException.class)
                .hasMessageContaining("invalid platform \"" + text + "\"");
    }

    @Test
    void require_noMatch_listsTheIndexPlatforms() {
        Descriptor amd = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256("a"), 1).withPlatform(Platform.of("linux", "amd64"));
        Descriptor none = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256("b"), 1);
        ImageIndex index = ImageIndex.of(List.of(none, amd));

        assertThat(index.require(Platform.parse("linux/amd64"), "x")).isEqualTo(amd);
        assertThatThrownBy(() -> index.require(Platform.parse("linux/arm64"), "r:1"))
                .isInstanceOfSatisfying(PlatformNotFoundException.class, e -> {
                    assertThat(e.available()).containsExactly(Platform.of("linux", "amd64"));
                    assertThat(e).hasMessage("r:1: no manifest for platform linux/arm64 in the index (available: linux/amd64)");
                });
    }

    @Test
    void defaultResolveWithPlatform_resolverThatCannotChoose_refusesAnotherPlatformsEntry() {
        Descriptor arm = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256("a"), 1).withPlatform(Platform.parse("linux/arm64"));
        RegistryResolver old = new RegistryResolver() {
            @Override
            public Descriptor resolve(Reference reference) {
                return arm;
            }

            @Override
            public Fetcher fetcher(Reference reference) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Pusher pusher(Reference reference) {
                throw new UnsupportedOperationException();
            }
        };
        Reference ref = Reference.parse("r.example/a:1");

        assertThat(old.resolve(ref, Platform.parse("linux/arm64/v8"))).isEqualTo(arm);
        assertThatThrownBy(() -> old.resolve(ref, Platform.parse("linux/amd64"))).isInstanceOf(PlatformNotFoundException.class);
    }
}
