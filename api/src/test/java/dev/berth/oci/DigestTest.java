package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    // sha256("") and sha512("abc") are the published test vectors.
    private static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String ABC_SHA512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @Nested
    class ParseDigest {
        @Test
        void parse_sha256_roundTrips() {
            Digest d = Digest.parse(EMPTY_SHA256);
            assertThat(d.algorithm()).isEqualTo("sha256");
            assertThat(d.toString()).isEqualTo(EMPTY_SHA256);
        }

        @Test
        void parse_sha512_roundTrips() {
            assertThat(Digest.parse(ABC_SHA512).toString()).isEqualTo(ABC_SHA512);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "", "sha256", "sha256:", ":abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
            "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85 ",
        })
        void parse_malformed_throwsNamingInput(String text) {
            assertThatThrownBy(() -> Digest.parse(text))
                    .isInstanceOfSatisfying(InvalidDigestException.class, e -> assertThat(e.input()).isNotNull())
                    .hasMessageContaining(text);
            assertThat(Digest.isValid(text)).isFalse();
        }
    }

    @Nested
    class Compute {
        @Test
        void sha256_ofBytes_matchesVector() {
            assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo(EMPTY_SHA256);
        }

        @Test
        void of_sha512_matchesVector() {
            assertThat(Digest.of("sha512", "abc".getBytes(StandardCharsets.US_ASCII)).toString()).isEqualTo(ABC_SHA512);
        }

        @Test
        void digester_wrappedInput_hashesEveryByteIncludingSkipped() throws IOException {
            byte[] data = "hello, plugin".getBytes(StandardCharsets.UTF_8);
            Digester digester = Digester.sha256();
            try (InputStream in = digester.wrap(new ByteArrayInputStream(data))) {
                assertThat(in.read()).isEqualTo('h');
                assertThat(in.skip(3)).isEqualTo(3);
                in.readAllBytes();
            }
            assertThat(digester.count()).isEqualTo(data.length);
            assertThat(digester.digest()).isEqualTo(Digest.sha256(data));
        }

        @Test
        void digester_wrappedOutput_hashesWhatIsWritten() throws IOException {
            byte[] data = new byte[100_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            Digester digester = Digester.sha256();
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (OutputStream out = digester.wrap(sink)) {
                out.write(data, 0, 10);
                out.write(data[10]);
                out.write(data, 11, data.length - 11);
            }
            assertThat(sink.toByteArray()).isEqualTo(data);
            assertThat(digester.digest()).isEqualTo(Digest.sha256(data));
            assertThat(digester.count()).isEqualTo(data.length);
        }

        @Test
        void digester_digestMidway_doesNotDisturbTheRest() {
            Digester digester = Digester.sha256();
            digester.update(new byte[] {1, 2}, 0, 2);
            Digest partial = digester.digest();
            digester.update(new byte[] {3}, 0, 1);
            assertThat(partial).isEqualTo(Digest.sha256(new byte[] {1, 2}));
            assertThat(digester.digest()).isEqualTo(Digest.sha256(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void compareTo_ordersByAlgorithmThenHex() {
        Digest a = Digest.sha256(new byte[] {1});
        Digest b = Digest.of("sha512", new byte[] {1});
        assertThat(a).isLessThan(b);
        assertThat(a.compareTo(Digest.parse(a.toString()))).isZero();
    }
}
