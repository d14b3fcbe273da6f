package dev.berth.content;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Opens writers for new content. Thread-safe.
 */
public interface ContentIngester {
    /**
     * Opens the writer for {@code ref}, creating the ingest or resuming it: if an ingest with this ref
     * exists, the writer continues at its {@link IngestStatus#offset() offset}. If the existing ingest
     * was opened with a different expected size or digest, or holds more bytes than the expected size,
     * it is reset to empty (its bytes cannot belong to this content).
     *
     * <p>The ref is chosen by the caller and should name the content being fetched (Docker uses
     * {@code layer-<digest>}); any non-empty string is accepted. The caller closes or commits the
     * writer.
     *
     * @param ref            the ingest's key
     * @param expectedSize   the size the content will have, if known; enforced while writing
     * @param expectedDigest the digest the content will have, if known; enforced at commit
     * @throws IngestLockedException             if another writer holds the ref
     * @throws dev.berth.exception.InvalidParameterException if the ref is empty or a size is negative
     * @throws IOException                       if the ingest cannot be created or read
     */
    ContentWriter writer(String ref, OptionalLong expectedSize, Optional<Digest> expectedDigest) throws IOException;

    /** Opens a writer with no expectations; see {@link #writer(String, OptionalLong, Optional)}. */
    default ContentWriter writer(String ref) throws IOException {
        return writer(ref, OptionalLong.empty(), Optional.empty());
    }

    /** Opens a writer for content of known size and digest; see {@link #writer(String, OptionalLong, Optional)}. */
    default ContentWriter writer(String ref, long expectedSize, Digest expectedDigest) throws IOException {
        return writer(ref, OptionalLong.of(expectedSize), Optional.of(expectedDigest));
    }
}
