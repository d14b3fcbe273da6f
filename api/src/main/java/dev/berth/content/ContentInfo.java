package dev.berth.content;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a store knows about one committed blob.
 *
 * @param digest    the digest of the blob's bytes, which is also its name
 * @param size      the blob's size in bytes, never negative
 * @param createdAt when the blob was committed
 * @param updatedAt when the blob's labels were last changed (equal to {@code createdAt} until then)
 * @param labels    the blob's labels, an unmodifiable copy; empty when it has none
 */
public record ContentInfo(Digest digest, long size, Instant createdAt, Instant updatedAt,
                          Map<String, String> labels) {
    /** Validates and copies. */
    public ContentInfo {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (size < 0) {
            throw new IllegalArgumentException("size of " + digest + " is negative: " + size);
        }
        labels = ContentLabels.validate(labels);
    }
}
