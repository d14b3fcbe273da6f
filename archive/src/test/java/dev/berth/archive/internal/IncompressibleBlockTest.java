package dev.berth.archive.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class IncompressibleBlockTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] text(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < size) {
            s.append("file ").append(random.nextInt(100_000)).append(" mode 0644 uid ").append(random.nextInt(70))
                    .append('\n');
        }
        return Arrays.copyOf(s.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    private static byte[] gzipped(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static int level6Size(byte[] block, byte[] dictionary) {
        return ParallelGzipOutputStream.deflate(Arrays.copyOf(block, BLOCK), block.length, dictionary, 6, false).length;
    }

    @Test
    void randomBytes_andCompressedBytes_areIncompressible() throws IOException {
        assertThat(IncompressibleBlock.test(random(BLOCK, 1), BLOCK, null)).isTrue();
        assertThat(IncompressibleBlock.test(random(BLOCK, 2), BLOCK, random(BLOCK, 3))).isTrue();
        byte[] gz = gzipped(random(4 * BLOCK, 4)); // a compressed file inside a plugin's rootfs
        assertThat(IncompressibleBlock.test(Arrays.copyOfRange(gz, BLOCK, 2 * BLOCK), BLOCK, null)).isTrue();
    }

    @Test
    void text_lowEntropyBytes_andSmallBlocks_areDeflated() {
        assertThat(IncompressibleBlock.test(text(BLOCK, 5), BLOCK, null)).isFalse();
        byte[] base64 = Base64.getEncoder().encode(random(BLOCK, 6)); // 6 bits per byte
        assertThat(IncompressibleBlock.test(base64, BLOCK, null)).isFalse();
        assertThat(IncompressibleBlock.test(new byte[BLOCK], BLOCK, null)).isFalse();
        int small = IncompressibleBlock.MIN_SIZE - 1;
        assertThat(IncompressibleBlock.test(random(small, 7), small, null)).isFalse();
    }

    @Test
    void repeatsThatEntropyCannotSee_areDeflated() {
        byte[] piece = random(16 * 1024, 8);
        byte[] repeated = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i += piece.length) {
            System.arraycopy(piece, 0, repeated, i, piece.length);
        }
        assertThat(IncompressibleBlock.entropyBits(repeated, BLOCK)).isGreaterThan(IncompressibleBlock.MIN_ENTROPY_BITS);
        assertThat(IncompressibleBlock.test(repeated, BLOCK, null)).isFalse();
        assertThat(level6Size(repeated, null)).isLessThan(BLOCK / 4);
    }

    @Test
    void repeatsOfThePreviousBlocksTail_count() {
        byte[] previous = random(BLOCK, 9);
        byte[] block = random(BLOCK, 10);
        System.arraycopy(previous, BLOCK - 24 * 1024, block, 0, 16 * 1024); // 24 KiB back

        assertThat(IncompressibleBlock.test(block, BLOCK, null)).as("without the window").isTrue();
        assertThat(IncompressibleBlock.test(block, BLOCK, previous)).as("with it").isFalse();
        assertThat(level6Size(block, previous)).isLessThan(BLOCK - 12 * 1024);
    }

    /** Whatever it calls incompressible, zlib's level 6 would not have shrunk by even 0.5 %. */
    @Test
    void storing_neverCostsMoreThanHalfAPercent() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        byte[] mixedTail = random(BLOCK, 12);
        System.arraycopy(text(BLOCK / 64, 13), 0, mixedTail, BLOCK - BLOCK / 64, BLOCK / 64);
        byte[] gz = gzipped(text(8 * BLOCK, 14));
        List<byte[]> blocks = List.of(random(BLOCK, 15), mixedTail, Arrays.copyOfRange(gz, 0, Math.min(BLOCK, gz.length)),
                text(BLOCK, 16), random(BLOCK - 1000, 17));
        int stored = 0;
        for (byte[] b : blocks) {
            byte[] dictionary = random.nextBoolean() ? random(BLOCK, random.nextLong()) : null;
            if (IncompressibleBlock.test(b, b.length, dictionary)) {
                stored++;
                assertThat((double) level6Size(b, dictionary)).isGreaterThan(b.length * 0.995);
            }
        }
        assertThat(stored).isGreaterThanOrEqualTo(3);
    }

    @Test
    void storedBlock_isTheInputPlusFraming() {
        byte[] block = random(BLOCK, 18);
        byte[] stored = ParallelGzipOutputStream.deflate(block, BLOCK, null, 6, false);
        assertThat(stored.length).isBetween(BLOCK, BLOCK + 32);
        Deflater zlib = new Deflater(6, true);
        zlib.setInput(block);
        zlib.finish();
        byte[] out = new byte[2 * BLOCK];
        int n = zlib.deflate(out);
        zlib.end();
        assertThat(stored.length).isLessThanOrEqualTo(n + 16);
    }
}
