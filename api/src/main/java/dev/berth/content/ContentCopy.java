package dev.berth.content;

import dev.berth.oci.Digest;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Resumable copies into a store, containerd's {@code content.Copy} and {@code WriteBlob} for Java.
 * Each copy first asks the writer how much of the ingest already exists, skips that much of the source
 * (by discarding, by seeking or by positional reads, depending on the source), appends the rest and
 * commits. All methods stream with a fixed 64 KiB buffer and close the writer (through the commit).
 */
public final class ContentCopy {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final long FIRST_BACKOFF_MILLIS = 16;
    private static final long MAX_BACKOFF_MILLIS = 2048;

    private ContentCopy() {
    }

    /**
     * Writes a blob of known size and digest under {@code ref}, resuming an earlier partial ingest.
     * A blob that is already present is a success ({@link CommitResult#alreadyExisted()}). Does not
     * close {@code in}.
     */
    public static CommitResult writeBlob(ContentIngester ingester, String ref, InputStream in, long size,
                                         Digest digest, Map<String, String> labels) throws IOException {
        Objects.requireNonNull(ingester, "ingester");
        ContentWriter writer = ingester.writer(ref, OptionalLong.of(size), Optional.of(digest));
        return copy(writer, in, OptionalLong.of(size), Optional.of(digest), labels);
    }

    /**
     * Opens a writer, waiting while another writer holds the ref: containerd's {@code OpenWriter}. It
     * retries on {@link IngestLockedException} with a jittered backoff that starts at 16 ms and doubles
     * up to 2 s, until {@code maxWait} has passed. Two pulls of the same blob thus serialize: the second
     * resumes the first's ingest, or finds the blob committed when it commits.
     *
     * @throws IngestLockedException     if the ref is still locked after {@code maxWait}
     * @throws InterruptedIOException    if the thread is interrupted while waiting (the interrupt is
     *                                   restored)
     */
    public static ContentWriter openWriter(ContentIngester ingester, String ref, OptionalLong expectedSize,
                                           Optional<Digest> expectedDigest, Duration maxWait) throws IOException {
        Objects.requireNonNull(ingester, "ingester");
        Objects.requireNonNull(maxWait, "maxWait");
        long deadline = System.nanoTime() + maxWait.toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return ingester.writer(ref, expectedSize, expectedDigest);
            } catch (IngestLockedException e) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw e;
                }
                // Jitter spreads out waiters that were refused at the same moment.
                long pause = Math.min(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1),
                        Duration.ofNanos(left).toMillis() + 1);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException io = new InterruptedIOException("interrupted waiting for ref " + ref);
                    io.initCause(interrupted);
                    throw io;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /**
     * Copies from a plain stream, skipping the bytes the ingest already holds by reading and
     * discarding them. Does not close {@code in}; always closes {@code writer}.
     */
    public static CommitResult copy(ContentWriter writer, InputStream in, OptionalLong size, Optional<Digest> digest,
                                    Map<String, String> labels) throws IOException {
        Objects.requireNonNull(in, "in");
        return run(writer, size, digest, labels, offset -> {
            // skipNBytes may use skip(), which some streams implement by seeking; either way it ends
            // exactly at offset or throws EOFException.
            in.skipNBytes(offset);
            writer.transferFrom(in);
        });
    }

    /**
     * Copies from a seekable channel, skipping the bytes the ingest already holds by moving the
     * channel's position. Does not close {@code in}; always closes {@code writer}.
     */
    public static CommitResult copy(ContentWriter writer, SeekableByteChannel in, OptionalLong size,
                                    Optional<Digest> digest, Map<String, String> labels) throws IOException {
        Objects.requireNonNull(in, "in");
        return run(writer, size, digest, labels, offset -> {
            if (offset > in.size()) {
                throw new EOFException("source has " + in.size() + " bytes, the ingest already " + offset);
            }
            in.position(offset);
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                writer.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
        });
    }

    /**
     * Copies from a blob reader (of this or another store), starting at the bytes the ingest lacks
     * with positional reads. Does not close {@code in}; always closes {@code writer}.
     */
    public static CommitResult copy(ContentWriter writer, ContentReader in, OptionalLong size, Optional<Digest> digest,
                                    Map<String, String> labels) throws IOException {
        Objects.requireNonNull(in, "in");
        return run(writer, size, digest, labels, offset -> {
            if (offset > in.size()) {
                throw new EOFException("source has " + in.size() + " bytes, the ingest already " + offset);
            }
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            long position = offset;
            for (int n; (n = in.readAt(buffer, position)) >= 0; ) {
                writer.write(buffer.array(), 0, n);
                position += n;
                buffer.clear();
            }
        });
    }

    private interface Body {
        void copyFrom(long offset) throws IOException;
    }

    private static CommitResult run(ContentWriter writer, OptionalLong size, Optional<Digest> digest,
                                    Map<String, String> labels, Body body) throws IOException {
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(labels, "labels");
        try (writer) {
            long offset = writer.status().offset();
            if (size.isPresent() && offset > size.getAsLong()) {
                // The ingest holds more than the content can have: its bytes belong to something else.
                writer.truncate(0);
                offset = 0;
            }
            body.copyFrom(offset);
            return writer.commit(size, digest, labels);
        }
    }
}
