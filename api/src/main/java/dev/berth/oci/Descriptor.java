package dev.berth.oci;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a manifest, index or registry says about one blob.
 *
 * @param mediaType   the blob's media type
 * @param digest      the blob's digest
 * @param size        the blob's size in bytes, never negative
 * @param urls        alternative download locations (foreign layers), never null
 * @param annotations annotations, sorted by key, never null
 * @param platform    the platform an index entry is for, if any
 */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls,
                         Map<String, String> annotations, Optional<Platform> platform) {
    /** Validates and copies. */
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("descriptor size must not be negative: " + size);
        }
        urls = List.copyOf(urls);
        annotations = java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
        Objects.requireNonNull(platform, "platform");
    }

    /** A descriptor with only the three required fields. */
    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), Optional.empty());
    }

    /** A copy with the given platform. */
    public Descriptor withPlatform(Platform value) {
        return new Descriptor(mediaType, digest, size, urls, annotations, Optional.of(value));
    }

    /** A copy with the given annotations. */
    public Descriptor withAnnotations(Map<String, String> value) {
        return new Descriptor(mediaType, digest, size, urls, value, platform);
    }
}
