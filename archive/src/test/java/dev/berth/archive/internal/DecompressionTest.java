package dev.berth.archive.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecompressionTest {
    static final byte[] TEXT = "zstd through either codec\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

    @Nested
    class Zstd_ {
        @ParameterizedTest
        @ValueSource(strings = {"zstd-jni", "aircompressor"})
        void open_eachCodec_decodes(String codec) throws IOException {
            try (InputStream in = Decompression.zstd(new ByteArrayInputStream(Zstd.compress(TEXT)), codec)) {
                assertThat(in.readAllBytes()).isEqualTo(TEXT);
            }
        }

        @Test
        void zstdCodec_bothOnTestClassPath_prefersZstdJni() {
            assertThat(Decompression.zstdCodec()).isEqualTo("zstd-jni");
        }
    }

    @Nested
    class Declared {
        @ParameterizedTest
        @CsvSource({
            "application/vnd.docker.image.rootfs.diff.tar.gzip, GZIP",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, GZIP",
            "application/vnd.oci.image.layer.v1.tar+gzip, GZIP",
            "application/vnd.oci.image.layer.v1.tar, TAR",
            "application/vnd.docker.image.rootfs.diff.tar, TAR",
            "application/vnd.oci.image.layer.v1.tar+zstd, ZSTD",
        })
        void declared_layerTypes_format(String mediaType, Decompression.Format format) {
            assertThat(Decompression.declared(mediaType)).isEqualTo(format);
        }

        @Test
        void declared_generic_sniffed() {
            assertThat(Decompression.declared(MediaTypes.OCTET_STREAM)).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/vnd.oci.image.layer.v1.tar+bzip2", "application/json",
            "application/vnd.docker.plugin.v1+json"})
        void declared_otherTypes_unsupported(String mediaType) {
            assertThatThrownBy(() -> Decompression.declared(mediaType))
                    .isInstanceOfSatisfying(ArchiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.UNSUPPORTED));
        }

        @Test
        void sniff_rewinds_streamUnchanged() throws IOException {
            BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(TEXT));
            assertThat(Decompression.sniff(in)).isEqualTo(Decompression.Format.TAR);
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }
}
