package dev.berth.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory stays constant whatever the blob size: 1 GiB through a 32 MiB heap, hashed in the same pass. */
class FileContentStoreStreamingTest {
    private static final long ONE_GIB = 1L << 30;

    @TempDir
    Path dir;

    @Nested
    class Commit {
        @Test
        void commit_oneGibStreamUnderA32MibHeap_succeedsWithTheRightDigest() throws Exception {
            Path root = dir.resolve("storage");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(List.of(javaBin, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                    BigBlobChild.class.getName(), root.toString(), Long.toString(ONE_GIB)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output;
            try {
                output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.exitValue()).as(output).isZero();
            String[] fields = output.split(" ");
            Digest digest = Digest.parse(fields[0]);
            System.out.printf("1 GiB commit under -Xmx32m: %s ms, committed heap %d KiB%n", fields[1],
                    Long.parseLong(fields[2]) / 1024);

            Digester expected = Digester.sha256();
            try (InputStream in = expected.wrap(new BigBlobChild.GeneratedStream(ONE_GIB))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            assertThat(digest).isEqualTo(expected.digest());
            FileContentStore store = FileContentStore.open(root);
            assertThat(store.info(digest).orElseThrow().size()).isEqualTo(ONE_GIB);
            store.delete(digest); // give the disk back early
        }
    }

}
