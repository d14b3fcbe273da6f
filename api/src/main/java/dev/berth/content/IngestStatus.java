package dev.berth.content;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The progress of one ingest (an uncommitted write keyed by a ref).
 *
 * @param ref       the caller-chosen key of the ingest
 * @param offset    how many bytes the ingest holds; a resumed write continues here
 * @param total     the size the writer was told to expect, if it was told one
 * @param expected  the digest the writer was told to expect, if it was told one
 * @param startedAt when the ingest was first opened (kept across resumes)
 * @param updatedAt when bytes were last written to it
 */
public record IngestStatus(String ref, long offset, OptionalLong total, Optional<Digest> expected,
                           Instant startedAt, Instant updatedAt) {
    /** Validates. */
    public IngestStatus {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (offset < 0) {
            throw new IllegalArgumentException("offset of ingest " + ref + " is negative: " + offset);
        }
    }
}
