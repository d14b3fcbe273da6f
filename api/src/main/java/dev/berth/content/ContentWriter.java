package dev.berth.content;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Writes one ingest, keyed by a ref, and publishes it as a blob at {@link #commit}. Obtained from
 * {@link ContentIngester#writer}; while it is open it holds the ref's lock, so no other writer (in any
 * thread, and for the file store in any process) can open the same ref.
 *
 * <p><b>Lifecycle.</b> Bytes are appended with {@link #write}; the digest is computed while they
 * arrive, so commit never re-reads the ingest unless asked for a different algorithm. {@link #close()}
 * without a commit keeps the bytes written so far: reopening the ref continues at
 * {@link IngestStatus#offset()}. {@link #commit} verifies, publishes atomically and <em>always</em>
 * closes the writer, whether it succeeds or throws. After a commit or a close, every method except
 * {@code close}, {@code digest} and {@code status} throws {@link IllegalStateException}.
 *
 * <p>Not thread-safe: a writer belongs to one thread at a time.
 */
public interface ContentWriter extends Closeable {
    /** The ref this writer holds. */
    String ref();

    /**
     * Appends bytes to the ingest.
     *
     * @throws SizeMismatchException if the writer was told an expected size and these bytes would
     *                               exceed it; nothing is written then
     * @throws IOException           if the bytes cannot be stored
     */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Appends all of {@code bytes}; see {@link #write(byte[], int, int)}. */
    default void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /**
     * Appends everything {@code in} yields until its end, in pieces of at most 64 KiB, so memory stays
     * constant. Does not close {@code in}.
     *
     * @return how many bytes were appended
     */
    default long transferFrom(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * An {@link OutputStream} view of this writer. Closing the stream closes the writer (keeping the
     * ingest for a later resume), so commit before closing the stream if the blob should be published.
     */
    default OutputStream outputStream() {
        ContentWriter writer = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writer.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }

    /**
     * The digest of the bytes written so far (the empty digest before any write), in the expected
     * digest's algorithm if the writer was given one, otherwise sha256.
     */
    Digest digest();

    /**
     * A copy of the digest state of the bytes written so far, so that a download can continue where a
     * previous writer of this ingest stopped (even in another process) and still verify the whole blob:
     * see {@link dev.berth.remote.Fetcher#fetch(dev.berth.oci.Descriptor, dev.berth.oci.Digester)}.
     * Empty when the store keeps no such state; callers then rewrite from the start. The default is empty.
     */
    default Optional<Digester> resumeState() {
        return Optional.empty();
    }

    /** The ingest's progress, as {@link ContentIngestManager#status} would report it. */
    IngestStatus status();

    /**
     * Discards the ingest's bytes so it can be rewritten from the start. Only {@code 0} is supported,
     * as in containerd.
     *
     * @throws IllegalArgumentException for any size other than 0
     */
    void truncate(long size) throws IOException;

    /**
     * Verifies the ingest and publishes it as a blob, atomically: a concurrent or later reader sees
     * either no blob or the complete, verified one. Always closes this writer.
     *
     * <p>On {@link CommitResult.Outcome#COMMITTED} the ingest is gone and the blob carries
     * {@code labels}. On {@link CommitResult.Outcome#ALREADY_EXISTS} the ingest is gone too and the
     * existing blob is untouched (its labels are not replaced). When verification fails the ingest is
     * kept, so the ref can be reopened and rewritten, truncated or aborted.
     *
     * @param expectedSize   the size the content must have, if known
     * @param expectedDigest the digest the content must have, if known
     * @param labels         labels for the new blob (may be empty)
     * @throws SizeMismatchException         if the ingest's size differs from {@code expectedSize} or
     *                                       from the size given when the writer was opened
     * @throws dev.berth.exception.DigestMismatchException if the ingest's digest differs from
     *                                       {@code expectedDigest} or from the one given at open
     * @throws IOException                   if the blob cannot be published
     */
    CommitResult commit(OptionalLong expectedSize, Optional<Digest> expectedDigest, Map<String, String> labels)
            throws IOException;

    /** Commits with both a known size and digest; see {@link #commit(OptionalLong, Optional, Map)}. */
    default CommitResult commit(long expectedSize, Digest expectedDigest, Map<String, String> labels)
            throws IOException {
        return commit(OptionalLong.of(expectedSize), Optional.of(expectedDigest), labels);
    }

    /**
     * Commits whatever was written, checked only against what the writer was told at open; the result
     * names the digest. See {@link #commit(OptionalLong, Optional, Map)}.
     */
    default CommitResult commit(Map<String, String> labels) throws IOException {
        return commit(OptionalLong.empty(), Optional.empty(), labels);
    }

    /**
     * Releases the ref and keeps the ingest for a later resume. Idempotent; does nothing after a
     * commit.
     */
    @Override
    void close() throws IOException;
}
