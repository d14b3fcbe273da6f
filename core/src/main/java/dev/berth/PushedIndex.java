package dev.berth;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link PluginManager#pushIndex}: the index pushed under the tag, and the per-platform
 * manifests it lists (each pushed by digest into the same repository, each a single-platform plugin
 * that Docker installs by that digest).
 *
 * @param reference the fully qualified reference pushed, with its tag
 * @param tag       the tag the index is pushed under
 * @param mediaType the index's media type ({@link IndexFormat#mediaType()})
 * @param digest    the index's digest
 * @param size      the index's size in bytes
 * @param manifests the index's entries in order, each with its {@code platform}
 */
public record PushedIndex(String reference, String tag, String mediaType, Digest digest, long size,
                          List<Descriptor> manifests) {
    /** Checks and copies. */
    public PushedIndex {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        manifests = List.copyOf(manifests);
    }
}
