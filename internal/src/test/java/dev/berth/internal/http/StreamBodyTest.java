package dev.berth.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StreamBodyTest {
    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    /** Collects what it is handed, and which buffers it was handed. */
    static final class Collect implements StreamBody.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Map<byte[], Boolean> arrays = new IdentityHashMap<>();

        @Override
        public void write(ByteBuffer b) {
            arrays.put(b.array(), true);
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.writeBytes(chunk);
        }
    }

    @Test
    void writeTo_bytesArriveInOrder_throughOneReusedBuffer() throws IOException {
        byte[] data = random(10 << 20);
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(data), data.length);
        Collect sink = new Collect();

        body.writeTo(sink);

        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(sink.arrays).as("40 buffers' worth of body through one buffer").hasSize(1);
        assertThat(body.failure()).isNull();
    }

    @Test
    void writeTo_twice_readsAFreshStreamEachTime() throws IOException {
        byte[] data = random(1000);
        StreamBody body = StreamBody.of(data);
        Collect first = new Collect();
        Collect second = new Collect();

        body.writeTo(first);
        body.writeTo(second);

        assertThat(first.bytes.toByteArray()).isEqualTo(data);
        assertThat(second.bytes.toByteArray()).isEqualTo(data);
    }

    @Test
    void shortSource_failsAsASourceFailure_andClosesTheStream() {
        AtomicBoolean closed = new AtomicBoolean();
        StreamBody body = StreamBody.of(() -> closing(new ByteArrayInputStream(new byte[10]), closed), 20);

        assertThatThrownBy(() -> body.writeTo(new Collect()))
                .isInstanceOf(StreamBody.SourceFailure.class);
        assertThat(body.failure()).isInstanceOf(IOException.class).hasMessageContaining("ended at byte 10 of 20");
        assertThat(closed).isTrue();
    }

    @Test
    void longSource_failsBeforeTheLastBytesLeave() {
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(new byte[30]), 20);
        Collect sink = new Collect();

        assertThatThrownBy(() -> body.writeTo(sink)).isInstanceOf(StreamBody.SourceFailure.class);
        assertThat(body.failure()).hasMessageContaining("longer than 20");
        assertThat(sink.bytes.size()).isZero();
    }

    @Test
    void sinkFailure_isNotASourceFailure() {
        StreamBody body = StreamBody.of(new byte[10]);

        assertThatThrownBy(() -> body.writeTo(b -> {
            throw new IOException("broken pipe");
        })).isInstanceOf(IOException.class).hasMessage("broken pipe")
                .matches(e -> !StreamBody.SourceFailure.in(e));
        assertThat(body.failure()).isNull();
    }

    @Test
    void sourceThatFailsToOpen_isASourceFailure() {
        StreamBody body = StreamBody.of(() -> {
            throw new IOException("gone");
        }, 5);

        assertThatThrownBy(() -> body.writeTo(new Collect())).isInstanceOf(StreamBody.SourceFailure.class)
                .hasMessageContaining("gone");
    }

    @Test
    void empty_writesNothing() throws IOException {
        Collect sink = new Collect();

        StreamBody.empty().writeTo(sink);

        assertThat(StreamBody.empty().length()).isZero();
        assertThat(sink.arrays).isEmpty();
    }

    private static InputStream closing(InputStream in, AtomicBoolean closed) {
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                closed.set(true);
                super.close();
            }
        };
    }
}
