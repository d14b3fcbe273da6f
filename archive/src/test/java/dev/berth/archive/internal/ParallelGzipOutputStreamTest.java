package dev.berth.archive.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

    @TempDir
    Path tmp;

    /** Text with long-range repeats, random bytes, and text again: matches cross the block cuts. */
    private static byte[] mixed(int size) {
        SplittableRandom random = new SplittableRandom(size);
        byte[] b = new byte[size];
        StringBuilder text = new StringBuilder();
        while (text.length() < size) {
            text.append("entry ").append(random.nextInt(5000)).append(" of the plugin rootfs, mode 0644\n");
        }
        byte[] t = text.toString().getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 100_000) % 3 == 1 ? (byte) random.nextInt() : t[i];
        }
        return b;
    }

    private static byte[] gzip(byte[] data, int writeSize, int level) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, level)) {
            for (int i = 0; i < data.length; i += writeSize) {
                gz.write(data, i, Math.min(writeSize, data.length - i));
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 7 * BLOCK + 12345})
    void roundTrip_anySize_jdkAndCommonsCompressReadOneMember(int size) throws IOException {
        byte[] data = mixed(size);

        byte[] gz = gzip(data, 8192, Deflater.DEFAULT_COMPRESSION);

        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        // The default reads only the first member: that one member must hold everything.
        try (InputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        int n = gz.length;
        assertThat(((gz[n - 8] & 0xff) | (gz[n - 7] & 0xff) << 8 | (gz[n - 6] & 0xff) << 16 | (gz[n - 5] & 0xffL) << 24))
                .isEqualTo(crc.getValue());
    }

    @Test
    void header_isGosGzipWriters() throws IOException {
        byte[] gz = gzip(new byte[10], 10, Deflater.DEFAULT_COMPRESSION);

        assertThat(java.util.Arrays.copyOf(gz, 10))
                .containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    }

    @Test
    void bytes_doNotDependOnWriteSizesOrScheduling() throws IOException {
        byte[] data = mixed(5 * BLOCK + 999);

        byte[] a = gzip(data, 1, 6);
        byte[] b = gzip(data, 65536, 6);
        byte[] c = gzip(data, data.length, 6);

        assertThat(a).isEqualTo(b).isEqualTo(c);
        // The same blocks deflated one after another on this thread: what one core would write.
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        serial.write(java.util.Arrays.copyOf(a, 10));
        byte[] previous = null;
        for (int off = 0; ; off += BLOCK) {
            int len = Math.min(BLOCK, data.length - off);
            boolean last = len < BLOCK;
            byte[] block = java.util.Arrays.copyOfRange(data, off, off + BLOCK);
            serial.write(ParallelGzipOutputStream.deflate(block, len, previous, 6, last));
            if (last) {
                break;
            }
            previous = block;
        }
        serial.write(a, a.length - 8, 8);
        assertThat(serial.toByteArray()).isEqualTo(a);
    }

    @Test
    void size_onText_isWithinOnePercentOfOneStream() throws IOException {
        byte[] data = mixed(40 * BLOCK);
        for (int i = 0; i < data.length; i++) {
            if (data[i] < 0) {
                data[i] = 'x'; // text only: where dictionary priming matters most
            }
        }
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(single, new Deflater(6, true))) {
            d.write(data);
        }

        byte[] parallel = gzip(data, 65536, 6);

        assertThat((double) parallel.length).isLessThan(single.size() * 1.01 + 18);
    }

    @Test
    void realGzip_testsAndDecompresses() throws Exception {
        byte[] data = mixed(3 * BLOCK + 77);
        Path file = tmp.resolve("layer.gz");
        Files.write(file, gzip(data, 4096, 6));

        assertThat(run("gzip", "-t", file.toString())).isZero();
        assertThat(run("gzip", "-d", "-k", file.toString())).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("layer"))).isEqualTo(data);
    }

    @Test
    void randomBlocks_areStored_andStillOneMemberGzipReads() throws Exception {
        byte[] data = mixed(6 * BLOCK + 321);
        byte[] noise = new byte[3 * BLOCK];
        new SplittableRandom(3).nextBytes(noise);
        System.arraycopy(noise, 0, data, BLOCK / 2, noise.length);
        Path file = tmp.resolve("noisy.gz");

        byte[] gz = gzip(data, 65536, 6);
        Files.write(file, gz);

        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(run("gzip", "-d", "-k", file.toString())).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("noisy"))).isEqualTo(data);
        // storing the noise costs no more than zlib's level 6 over the whole stream
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(single, new Deflater(6, true))) {
            d.write(data);
        }
        assertThat((double) gz.length).isLessThan(single.size() * 1.01 + 18);
    }

    @Test
    void workers_areDaemonThreads() throws IOException {
        gzip(mixed(4 * BLOCK), 65536, 6);

        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("berth-gzip-"))
                .allMatch(Thread::isDaemon);
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(OutputStreamSink.INSTANCE);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** Drops a child's output. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
