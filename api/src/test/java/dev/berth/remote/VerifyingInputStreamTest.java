package dev.berth.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
    static final byte[] DATA = "hello, plugin".getBytes(StandardCharsets.UTF_8);
    static final Descriptor DESC = Descriptor.of("application/octet-stream", Digest.sha256(DATA), DATA.length);

    @Nested
    class Read {
        @Test
        void read_rightBytes_returnsThem() throws Exception {
            try (InputStream in = VerifyingInputStream.of(new ByteArrayInputStream(DATA), DESC)) {
                assertThat(in.readAllBytes()).isEqualTo(DATA);
            }
        }

        @Test
        void read_corruptedByte_throwsDigestMismatchAtEnd() {
            byte[] bad = DATA.clone();
            bad[3] ^= 1;
            InputStream in = VerifyingInputStream.of(new ByteArrayInputStream(bad), DESC);

            assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class);
        }

        @Test
        void read_longerBody_throwsSizeBeforeReadingAll() {
            InputStream endless = new InputStream() {
                @Override
                public int read() {
                    return 'x';
                }
            };
            InputStream in = VerifyingInputStream.of(endless, DESC);

            assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.SIZE));
        }

        @Test
        void read_shorterBody_throwsSize() {
            InputStream in = VerifyingInputStream.of(new ByteArrayInputStream(Arrays.copyOf(DATA, 5)), DESC);

            assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.SIZE));
        }

        @Test
        void read_resumedWithPrefixDigest_verifiesTheWhole() throws Exception {
            Digester prefix = Digester.sha256();
            prefix.update(DATA, 0, 5);
            InputStream rest = new ByteArrayInputStream(DATA, 5, DATA.length - 5);

            try (VerifyingInputStream in = VerifyingInputStream.resuming(rest, DESC, prefix)) {
                assertThat(in.readAllBytes()).hasSize(DATA.length - 5);
                assertThat(in.count()).isEqualTo(DATA.length);
            }
        }
    }
}
