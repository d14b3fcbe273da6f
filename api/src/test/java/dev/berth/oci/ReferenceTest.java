package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference grammar and normalization, as a table. The cases are derived from the
 * docker/distribution reference package's tests (normalize_test.go, reference_test.go): the same
 * inputs, with the outcomes that package's normalized parser gives.
 */
class ReferenceTest {
    private static final String HEX64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    private static final String DGST = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    /** A valid input: its fully qualified form, its familiar form, its domain and path. */
    record Valid(String input, String full, String familiar, String domain, String path) {
        @Override
        public String toString() {
            return input.length() > 60 ? input.substring(0, 60) + "..." : input;
        }
    }

    /** An invalid input and a fragment of the reason. */
    record Invalid(String input, String reason) {
        @Override
        public String toString() {
            return input.isEmpty() ? "<empty>" : input.length() > 60 ? input.substring(0, 60) + "..." : input;
        }
    }

    static Stream<Valid> valid() {
        List<Valid> v = new ArrayList<>();
        // Docker Hub names and their aliases.
        v.add(new Valid("docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker"));
        v.add(new Valid("library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("docker.io/docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker"));
        v.add(new Valid("docker.io/library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("docker.io/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("index.docker.io/docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker"));
        v.add(new Valid("index.docker.io/library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("index.docker.io/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian"));
        v.add(new Valid("fooo/bar", "docker.io/fooo/bar", "fooo/bar", "docker.io", "fooo/bar"));
        v.add(new Valid("index.docker.io/fooo/bar", "docker.io/fooo/bar", "fooo/bar", "docker.io", "fooo/bar"));
        v.add(new Valid("nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu"));
        v.add(new Valid("other/library", "docker.io/other/library", "other/library", "docker.io", "other/library"));
        v.add(new Valid("ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base"));
        v.add(new Valid("index.docker.io/library/ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base"));
        v.add(new Valid("docker.io/foo", "docker.io/library/foo", "foo", "docker.io", "library/foo"));
        v.add(new Valid("library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io", "library/foo/bar"));
        v.add(new Valid("docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io", "library/foo/bar"));
        v.add(new Valid("store/foo/bar", "docker.io/store/foo/bar", "store/foo/bar", "docker.io", "store/foo/bar"));
        v.add(new Valid("docker/migrator", "docker.io/docker/migrator", "docker/migrator", "docker.io", "docker/migrator"));
        v.add(new Valid("test_com/foo", "docker.io/test_com/foo", "test_com/foo", "docker.io", "test_com/foo"));
        v.add(new Valid("dbcc1", "docker.io/library/dbcc1", "dbcc1", "docker.io", "library/dbcc1"));
        // Separators and lengths inside path components.
        v.add(new Valid("docker-rules/docker", "docker.io/docker-rules/docker", "docker-rules/docker", "docker.io", "docker-rules/docker"));
        v.add(new Valid("docker---rules/docker", "docker.io/docker---rules/docker", "docker---rules/docker", "docker.io", "docker---rules/docker"));
        v.add(new Valid("doc/docker", "docker.io/doc/docker", "doc/docker", "docker.io", "doc/docker"));
        v.add(new Valid("d/docker", "docker.io/d/docker", "d/docker", "docker.io", "d/docker"));
        v.add(new Valid("jess/t", "docker.io/jess/t", "jess/t", "docker.io", "jess/t"));
        v.add(new Valid("dock__er/docker", "docker.io/dock__er/docker", "dock__er/docker", "docker.io", "dock__er/docker"));
        v.add(new Valid("ab_c__d-e---f/g.h", "docker.io/ab_c__d-e---f/g.h", "ab_c__d-e---f/g.h", "docker.io", "ab_c__d-e---f/g.h"));
        String song = "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev";
        v.add(new Valid(song, "docker.io/library/" + song, song, "docker.io", "library/" + song));
        String hex63 = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9";
        v.add(new Valid(hex63, "docker.io/library/" + hex63, hex63, "docker.io", "library/" + hex63));
        v.add(new Valid("docker.io/" + HEX64, "docker.io/library/" + HEX64, HEX64, "docker.io", "library/" + HEX64));
        String longest = "a".repeat(247);
        v.add(new Valid(longest, "docker.io/library/" + longest, longest, "docker.io", "library/" + longest));
        // Registries: IPv4, names, ports, IPv6, localhost, upper-case domains.
        v.add(new Valid("127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker"));
        v.add(new Valid("127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian"));
        v.add(new Valid("127.0.0.1:5000/debian", "127.0.0.1:5000/debian", "127.0.0.1:5000/debian", "127.0.0.1:5000", "debian"));
        v.add(new Valid("192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1", "docker.io", "library/192.168.0.1"));
        v.add(new Valid("192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", "docker.io", "library/192.168.0.1"));
        v.add(new Valid("192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8", "debian"));
        v.add(new Valid("192.168.0.2:25000/debian", "192.168.0.2:25000/debian", "192.168.0.2:25000/debian", "192.168.0.2:25000", "debian"));
        v.add(new Valid("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase"));
        v.add(new Valid("127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase"));
        v.add(new Valid("example.com/private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "example.com", "private/moonbase"));
        v.add(new Valid("example.com/privatebase", "example.com/privatebase", "example.com/privatebase", "example.com", "privatebase"));
        v.add(new Valid("example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "example.com:8000", "private/moonbase"));
        v.add(new Valid("example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000", "privatebasee"));
        v.add(new Valid("test.com/foo", "test.com/foo", "test.com/foo", "test.com", "foo"));
        v.add(new Valid("test.com:8080/foo", "test.com:8080/foo", "test.com:8080/foo", "test.com:8080", "foo"));
        v.add(new Valid("test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo", "test-com:8080", "foo"));
        v.add(new Valid("xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com", "foo"));
        v.add(new Valid("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"));
        v.add(new Valid("localhost/foo", "localhost/foo", "localhost/foo", "localhost", "foo"));
        v.add(new Valid("localhost:5000/test/myplugin:1.0", "localhost:5000/test/myplugin:1.0", "localhost:5000/test/myplugin:1.0", "localhost:5000", "test/myplugin"));
        v.add(new Valid("[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000", "docker"));
        v.add(new Valid("[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker"));
        v.add(new Valid("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian"));
        v.add(new Valid("[::1]/plugin:v2", "[::1]/plugin:v2", "[::1]/plugin:v2", "[::1]", "plugin"));
        v.add(new Valid("Docker/docker", "Docker/docker", "Docker/docker", "Docker", "docker"));
        v.add(new Valid("DOCKER/docker", "DOCKER/docker", "DOCKER/docker", "DOCKER", "docker"));
        v.add(new Valid("Foo/bar", "Foo/bar", "Foo/bar", "Foo", "bar"));
        // Tags and digests.
        v.add(new Valid("redis:latest", "docker.io/library/redis:latest", "redis:latest", "docker.io", "library/redis"));
        v.add(new Valid("docker.io/library/redis:latest", "docker.io/library/redis:latest", "redis:latest", "docker.io", "library/redis"));
        v.add(new Valid("dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp"));
        v.add(new Valid("redis@" + DGST, "docker.io/library/redis@" + DGST, "redis@" + DGST, "docker.io", "library/redis"));
        v.add(new Valid("docker.io/dmcgowan/myapp@" + DGST, "docker.io/dmcgowan/myapp@" + DGST, "dmcgowan/myapp@" + DGST, "docker.io", "dmcgowan/myapp"));
        String tagged = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
        v.add(new Valid(tagged, "docker.io/library/" + tagged, tagged, "docker.io", "library/busybox"));
        v.add(new Valid("vieux/sshfs:v1.0_rc-2.x", "docker.io/vieux/sshfs:v1.0_rc-2.x", "vieux/sshfs:v1.0_rc-2.x", "docker.io", "vieux/sshfs"));
        v.add(new Valid("a/b:UPPER_Case", "docker.io/a/b:UPPER_Case", "a/b:UPPER_Case", "docker.io", "a/b"));
        String tag128 = "t" + "x".repeat(127);
        v.add(new Valid("a/b:" + tag128, "docker.io/a/b:" + tag128, "a/b:" + tag128, "docker.io", "a/b"));
        // A digest-like string without a repository is a name with a 64-hex tag, as in Docker.
        v.add(new Valid("sha256:" + HEX64, "docker.io/library/sha256:" + HEX64, "sha256:" + HEX64, "docker.io", "library/sha256"));
        v.add(new Valid("localhost:5000/p@sha512:" + "ab".repeat(64), "localhost:5000/p@sha512:" + "ab".repeat(64),
                "localhost:5000/p@sha512:" + "ab".repeat(64), "localhost:5000", "p"));
        return v.stream();
    }

    static Stream<Invalid> invalid() {
        List<Invalid> v = new ArrayList<>();
        v.add(new Invalid("", "invalid reference format"));
        v.add(new Invalid("https://github.com/docker/docker", "invalid reference format"));
        v.add(new Invalid("docker/Docker", "must be lowercase"));
        v.add(new Invalid("docker.io/docker/Docker", "must be lowercase"));
        v.add(new Invalid("Uppercase:tag", "must be lowercase"));
        v.add(new Invalid("-docker", "invalid reference format"));
        // A dot in the first component makes it a registry host, where "_" is not allowed.
        v.add(new Invalid("a.b_c/d", "invalid reference format"));
        v.add(new Invalid("-docker/docker", "invalid reference format"));
        v.add(new Invalid("-docker.io/docker/docker", "invalid reference format"));
        v.add(new Invalid("docker-/docker", "invalid reference format"));
        v.add(new Invalid("-docker-/docker", "invalid reference format"));
        v.add(new Invalid("docker///docker", "invalid reference format"));
        v.add(new Invalid("docker.io/docker///docker", "invalid reference format"));
        v.add(new Invalid("____/____", "invalid reference format"));
        v.add(new Invalid("_docker/_docker", "invalid reference format"));
        v.add(new Invalid("dock..er/docker", "invalid reference format"));
        v.add(new Invalid("dock_.er/docker", "invalid reference format"));
        v.add(new Invalid("dock-.er/docker", "invalid reference format"));
        v.add(new Invalid("docker/", "invalid reference format"));
        v.add(new Invalid("[fc00::1]", "invalid reference format"));
        v.add(new Invalid("[fc00::1]:5000", "invalid reference format"));
        v.add(new Invalid("fc00::1:5000/debian", "invalid reference format"));
        v.add(new Invalid("[fe80::1%eth0]:5000/debian", "invalid reference format"));
        v.add(new Invalid("[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid reference format"));
        v.add(new Invalid(HEX64, "cannot specify 64-byte hexadecimal strings"));
        v.add(new Invalid(String.join("_", java.util.Collections.nCopies(4,
                "this_is_not_a_valid_namespace_because_its_length_is_greater_than_255")) + "/docker",
                "must not be more than 255 characters"));
        v.add(new Invalid("a".repeat(248), "must not be more than 255 characters"));
        v.add(new Invalid(":justtag", "invalid reference format"));
        v.add(new Invalid("@" + DGST, "invalid reference format"));
        v.add(new Invalid("repo@sha256:ffffffffffffffffffffffffffffffff", "invalid reference format"));
        v.add(new Invalid("validname@invaliddigest:" + HEX64, "unsupported digest algorithm"));
        v.add(new Invalid("a/b:" + "t".repeat(129), "invalid reference format"));
        v.add(new Invalid("a/b:-tag", "invalid reference format"));
        v.add(new Invalid("a/b:.tag", "invalid reference format"));
        v.add(new Invalid("foo:bar:baz", "invalid reference format"));
        v.add(new Invalid("foo bar", "invalid reference format"));
        v.add(new Invalid("foo/bar/", "invalid reference format"));
        v.add(new Invalid("localhost:5000/", "invalid reference format"));
        v.add(new Invalid("example.com:port/foo", "invalid reference format"));
        v.add(new Invalid("x".repeat(2000), "invalid reference format"));
        return v.stream();
    }

    @Nested
    class ParseNormalized {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.oci.ReferenceTest#valid")
        void parseNormalized_validInput_normalizesAsDistribution(Valid c) {
            Reference ref = Reference.parseNormalized(c.input());

            assertThat(ref.toString()).isEqualTo(c.full());
            assertThat(ref.familiar()).isEqualTo(c.familiar());
            assertThat(ref.domain()).isEqualTo(c.domain());
            assertThat(ref.path()).isEqualTo(c.path());
            assertThat(Reference.parseNormalized(ref.toString())).isEqualTo(ref);
            if (!c.familiar().matches("[a-f0-9]{64}")) {
                // A familiar name that is 64 hex characters cannot be parsed back, in Docker too.
                assertThat(Reference.parseNormalized(ref.familiar())).isEqualTo(ref);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.oci.ReferenceTest#invalid")
        void parseNormalized_invalidInput_throwsWithReason(Invalid c) {
            assertThatThrownBy(() -> Reference.parseNormalized(c.input()))
                    .isInstanceOf(InvalidReferenceException.class)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c.reason());
            assertThat(Reference.isValid(c.input())).isFalse();
        }

        @Test
        void tableSize_isAtLeastEighty() {
            assertThat(valid().count() + invalid().count()).isGreaterThanOrEqualTo(80);
        }

        @Test
        void parseNormalized_badInput_namesTheInput() {
            assertThatThrownBy(() -> Reference.parseNormalized("docker/Docker"))
                    .isInstanceOfSatisfying(InvalidReferenceException.class,
                            e -> assertThat(e.input()).isEqualTo("docker/Docker"))
                    .hasMessageContaining("docker/Docker");
        }
    }

    @Nested
    class Parse {
        @Test
        void parse_nameOnly_addsLatest() {
            assertThat(Reference.parse("vieux/sshfs").toString()).isEqualTo("docker.io/vieux/sshfs:latest");
            assertThat(Reference.parse("busybox").familiar()).isEqualTo("busybox:latest");
        }

        @Test
        void parse_digestOnly_addsNoTag() {
            Reference ref = Reference.parse("redis@" + DGST);
            assertThat(ref.tag()).isEmpty();
            assertThat(ref.digest()).contains(Digest.parse(DGST));
        }

        @Test
        void parse_tagAndDigest_keepsBoth_dockerRefDropsTag() {
            Reference ref = Reference.parse("busybox:1.0@" + DGST);
            assertThat(ref.tag()).contains("1.0");
            assertThat(ref.dockerRef().toString()).isEqualTo("docker.io/library/busybox@" + DGST);
        }

        @Test
        void parse_keepsExplicitTag() {
            assertThat(Reference.parse("localhost:5000/a/b:v1").tag()).contains("v1");
        }

        @Test
        void familiarName_nestedLibraryPath_isNotShortened() {
            assertThat(Reference.parse("docker.io/library/a/b").familiarName()).isEqualTo("library/a/b");
        }

        @Test
        void isDockerHub_distinguishesRegistries() {
            assertThat(Reference.parse("busybox").isDockerHub()).isTrue();
            assertThat(Reference.parse("localhost:5000/busybox").isDockerHub()).isFalse();
        }
    }
}
