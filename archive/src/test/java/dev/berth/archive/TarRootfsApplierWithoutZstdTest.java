package dev.berth.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.berth.oci.MediaTypes;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd-jni and aircompressor are optional dependencies: a user's build may lack both. This runs the
 * real applier in a class loader built from the test class path minus those two jars (parent: the
 * platform loader, so no class leaks in from the test's own loader), as a user's application would.
 */
class TarRootfsApplierWithoutZstdTest {
    @TempDir
    Path tmp;

    URLClassLoader withoutZstd;
    Method apply;

    @BeforeEach
    void isolate() throws Exception {
        List<String> all = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        List<URL> kept = new ArrayList<>();
        int dropped = 0;
        for (String entry : all) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("zstd-jni-") || name.startsWith("aircompressor-")) {
                dropped++;
            } else {
                kept.add(Path.of(entry).toUri().toURL());
            }
        }
        // Both codecs must have been on the class path and removed, or the test proves nothing.
        assertThat(dropped).as("codec jars removed from %s", all).isEqualTo(2);
        withoutZstd = new URLClassLoader(kept.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        apply = withoutZstd.loadClass(NoZstdProbe.class.getName())
                .getMethod("apply", byte[].class, String.class, String.class);
    }

    @AfterEach
    void close() throws Exception {
        withoutZstd.close();
    }

    String applyIsolated(byte[] layer, String mediaType) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root-" + System.nanoTime()));
        return (String) apply.invoke(null, layer, mediaType, root.toString());
    }

    @Nested
    class Apply {
        @Test
        void apply_isolatedLoader_seesNoCodec() throws Exception {
            assertThatThrownBy(() -> Class.forName("com.github.luben.zstd.Zstd", false, withoutZstd))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThat(withoutZstd.loadClass(NoZstdProbe.class.getName()).getMethod("codec").invoke(null))
                    .isEqualTo("none");
        }

        @Test
        void apply_gzipLayerWithoutZstd_applies() throws Exception {
            byte[] tar = TarBuilder.tar().file("hello", "hi\n").bytes();
            assertThat(applyIsolated(TarBuilder.gzip(tar), MediaTypes.OCI_LAYER_GZIP)).startsWith("applied sha256:");
        }

        @Test
        void apply_zstdLayerWithoutCodec_archiveExceptionNamesZstdJni() throws Exception {
            byte[] layer = Zstd.compress(TarBuilder.tar().file("hello", "hi\n").bytes());

            String outcome = applyIsolated(layer, MediaTypes.OCI_LAYER_ZSTD);

            assertThat(outcome).startsWith("dev.berth.rootfs.ArchiveException|UNSUPPORTED|")
                    .contains("com.github.luben:zstd-jni");
        }

        @Test
        void apply_undeclaredZstdLayerWithoutCodec_archiveExceptionNamesZstdJni() throws Exception {
            byte[] layer = Zstd.compress(TarBuilder.tar().file("hello", "hi\n").bytes());

            String outcome = applyIsolated(layer, MediaTypes.OCTET_STREAM);

            assertThat(outcome).startsWith("dev.berth.rootfs.ArchiveException|UNSUPPORTED|")
                    .contains("com.github.luben:zstd-jni");
        }
    }
}
