package dev.berth.content;

import dev.berth.oci.Digest;
import java.util.Objects;

/**
 * How a {@link ContentWriter#commit commit} ended when it did not fail.
 *
 * @param outcome whether this commit published the blob or found it already there
 * @param digest  the digest of the committed (or already present) blob
 * @param size    its size in bytes
 */
public record CommitResult(Outcome outcome, Digest digest, long size) {
    /** The two successful ends of a commit. */
    public enum Outcome {
        /** This commit published the blob. */
        COMMITTED,
        /**
         * A blob with the same digest was already in the store; the ingest was discarded and the
         * existing blob, its labels and times were left untouched. Callers that only need the content
         * to be present treat this as success.
         */
        ALREADY_EXISTS
    }

    /** Validates. */
    public CommitResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("size of " + digest + " is negative: " + size);
        }
    }

    /** Whether the blob was already present, so this commit published nothing. */
    public boolean alreadyExisted() {
        return outcome == Outcome.ALREADY_EXISTS;
    }
}
