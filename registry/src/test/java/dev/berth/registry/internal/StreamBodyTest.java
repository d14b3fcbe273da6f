package dev.berth.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class StreamBodyTest {
    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    /** Takes one buffer at a time; consumes it (as a socket write or TLS wrap does) unless told to hold them. */
    static final class Sink implements Flow.Subscriber<ByteBuffer> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<ByteBuffer> held = new ArrayList<>();
        final boolean hold;
        Flow.Subscription subscription;
        Throwable error;
        boolean complete;

        Sink(boolean hold) {
            this.hold = hold;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (hold) {
                held.add(item);
            } else {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                bytes.writeBytes(b);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            complete = true;
        }
    }

    @Test
    void consumedBuffers_areReused_andTheBytesArriveInOrder() {
        byte[] data = random(10 << 20);
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(data), data.length);
        Sink sink = new Sink(false);

        body.subscribe(sink);

        assertThat(sink.complete).isTrue();
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(body.allocated()).as("40 buffers' worth of body through one buffer").isEqualTo(1);
    }

    @Test
    void buffersStillInFlight_areNeverHandedOutAgain() {
        byte[] data = random(3 << 20);
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(data), data.length);
        Sink sink = new Sink(true);

        body.subscribe(sink);

        assertThat(sink.complete).isTrue();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuffer b : sink.held) {
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            all.writeBytes(chunk);
        }
        assertThat(all.toByteArray()).isEqualTo(data);
        assertThat(body.allocated()).isEqualTo(sink.held.size());
    }

    @Test
    void shortSource_failsAsASourceFailure() {
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(new byte[10]), 20);
        Sink sink = new Sink(false);

        body.subscribe(sink);

        assertThat(sink.complete).isFalse();
        assertThat(StreamBody.SourceFailure.in(sink.error)).isTrue();
        assertThat(body.failure()).isInstanceOf(IOException.class).hasMessageContaining("ended at byte 10 of 20");
    }

    @Test
    void longSource_fails() {
        StreamBody body = StreamBody.of(() -> new ByteArrayInputStream(new byte[30]), 20);
        Sink sink = new Sink(false);

        body.subscribe(sink);

        assertThat(sink.complete).isFalse();
        assertThat(body.failure()).hasMessageContaining("longer than 20");
    }
}
