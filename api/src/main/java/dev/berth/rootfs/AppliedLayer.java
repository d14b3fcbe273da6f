package dev.berth.rootfs;

import dev.berth.oci.Digest;
import java.util.Objects;

/**
 * What applying one layer produced.
 *
 * @param diffId  the digest of the uncompressed tar stream, trailing bytes included (the OCI diff ID)
 * @param size    the length of the uncompressed tar stream in bytes
 * @param entries how many tar entries were read, whiteouts and skipped ones included
 */
public record AppliedLayer(Digest diffId, long size, long entries) {
    /** Validates. */
    public AppliedLayer {
        Objects.requireNonNull(diffId, "diffId");
        if (size < 0 || entries < 0) {
            throw new IllegalArgumentException("size and entries must not be negative: " + size + ", " + entries);
        }
    }
}
