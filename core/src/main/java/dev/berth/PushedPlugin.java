package dev.berth;

import dev.berth.oci.Digest;
import java.util.Objects;

/**
 * The outcome of a push, as Docker's final {@code aux} message reports it.
 *
 * @param reference the fully qualified reference pushed
 * @param tag       the tag pushed
 * @param digest    the manifest's digest
 * @param size      the manifest's size in bytes
 */
public record PushedPlugin(String reference, String tag, Digest digest, long size) {
    /** Checks. */
    public PushedPlugin {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
    }
}
