package dev.berth.core.internal.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pipe between a layer's download and its extraction: order, bounds, and how each side ends it. */
@Timeout(30)
class LayerPipeTest {
    static byte[] random(int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Reads {@code source} through a tee into the pipe on another thread, finishing the pipe at its end. */
    static CompletableFuture<Void> download(LayerPipe pipe, InputStream source) {
        return CompletableFuture.runAsync(() -> {
            try (InputStream tee = pipe.tee(source)) {
                byte[] buf = new byte[7_000]; // not a divisor of the pipe's capacity: writes wrap around
                while (tee.read(buf) >= 0) {
                    // the tee hands every byte to the pipe
                }
                pipe.finish();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void bytesManyTimesThePipesCapacity_arriveWholeAndInOrder_endOnlyAfterFinish() throws Exception {
        byte[] layer = random(5 * LayerPipe.CAPACITY + 12_345);
        LayerPipe pipe = new LayerPipe();
        CompletableFuture<Void> writer = download(pipe, new ByteArrayInputStream(layer));

        assertThat(pipe.input().readAllBytes()).isEqualTo(layer);
        writer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void readerClosesEarly_writerDropsTheRestAndStillEnds() throws Exception {
        byte[] layer = random(4 * LayerPipe.CAPACITY);
        LayerPipe pipe = new LayerPipe();
        CompletableFuture<Void> writer = download(pipe, new ByteArrayInputStream(layer));
        byte[] head = pipe.input().readNBytes(1000);
        pipe.input().close();

        writer.get(5, TimeUnit.SECONDS); // would block on a full pipe if the writer did not drop bytes
        assertThat(head).isEqualTo(java.util.Arrays.copyOf(layer, 1000));
        assertThatThrownBy(() -> pipe.input().read()).isInstanceOf(IOException.class);
    }

    @Test
    void sourceFails_readerFailsWithTheCause_noEndOfStreamSeen() {
        LayerPipe pipe = new LayerPipe();
        InputStream failing = new InputStream() {
            int left = 100;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("connection reset");
                }
                return 'x';
            }
        };
        CompletableFuture<Void> writer = download(pipe, failing);

        assertThatThrownBy(() -> pipe.input().readAllBytes()).isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");
        assertThat(writer).failsWithin(5, TimeUnit.SECONDS);
        assertThat(pipe.failure()).hasMessage("connection reset");
    }

    @Test
    void writerFailsAfterTheSourceEnded_readerNeverSeesTheEnd() throws IOException {
        // the store refused the blob at commit: every byte was read, and still no end of stream
        LayerPipe pipe = new LayerPipe();
        pipe.tee(new ByteArrayInputStream(new byte[] {1, 2, 3})).readAllBytes();
        pipe.fail(new IllegalStateException("digest mismatch"));

        assertThatThrownBy(() -> pipe.input().readAllBytes()).isInstanceOf(IOException.class)
                .hasMessageContaining("digest mismatch");
    }
}
