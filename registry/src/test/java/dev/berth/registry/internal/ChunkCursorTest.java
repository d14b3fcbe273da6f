package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.remote.BlobSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCursorTest {
    final byte[] data = random(100_000);
    int opens;
    final BlobSource source = () -> {
        opens++;
        return new java.io.ByteArrayInputStream(data);
    };

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void slicesInOrder_readTheSourceOnce_andHashIt() throws IOException {
        try (ChunkCursor c = new ChunkCursor(source, Digest.SHA256)) {
            for (long off = 0; off < data.length; off += 30_000) {
                try (InputStream s = c.slice(off, Math.min(30_000, data.length - off))) {
                    s.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            assertThat(c.atEnd()).isTrue();
            assertThat(c.digester().digest()).isEqualTo(Digest.sha256(data));
        }
        assertThat(opens).isEqualTo(1);
    }

    @Test
    void aChunkSentAgain_rewindsToItsStart_withTheHashOfThatPoint() throws IOException {
        try (ChunkCursor c = new ChunkCursor(source, Digest.SHA256)) {
            c.slice(0, 40_000).readAllBytes();
            c.slice(40_000, 40_000).readNBytes(12_345); // an attempt cut short
            byte[] again = c.slice(40_000, 40_000).readAllBytes();
            c.slice(80_000, 20_000).readAllBytes();

            assertThat(again).isEqualTo(java.util.Arrays.copyOfRange(data, 40_000, 80_000));
            assertThat(c.digester().digest()).isEqualTo(Digest.sha256(data));
        }
        assertThat(opens).isEqualTo(2);
    }

    @Test
    void aJumpElsewhere_rehashesUpToThere() throws IOException {
        try (ChunkCursor c = new ChunkCursor(source, Digest.SHA256)) {
            c.slice(0, 10_000).readAllBytes();
            c.slice(70_000, 30_000).readAllBytes(); // the registry said it held 70,000

            assertThat(c.digester().digest()).isEqualTo(Digest.sha256(data));
        }
    }

    @Test
    void anOlderSlice_stopsReadingOnceANewerOneExists() throws IOException {
        try (ChunkCursor c = new ChunkCursor(source, Digest.SHA256)) {
            InputStream stale = c.slice(0, 40_000);
            stale.readNBytes(100);
            InputStream fresh = c.slice(0, 40_000);

            assertThatThrownBy(() -> stale.readNBytes(100)).isInstanceOf(IOException.class);
            assertThat(fresh.readAllBytes()).isEqualTo(java.util.Arrays.copyOf(data, 40_000));
        }
    }
}
