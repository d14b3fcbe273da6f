package dev.berth;

import java.util.Objects;

/**
 * How {@link PluginManager#pushIndex(String, java.util.List, PushIndexOptions)} publishes a plugin's
 * platform variants. Immutable; start from {@link #defaults()} (a class, not a record, so options can be
 * added without breaking callers).
 */
public final class PushIndexOptions {
    private static final PushIndexOptions DEFAULTS = new PushIndexOptions(IndexFormat.OCI_INDEX, false);

    private final IndexFormat format;
    private final boolean platformTags;

    private PushIndexOptions(IndexFormat format, boolean platformTags) {
        this.format = format;
        this.platformTags = platformTags;
    }

    /** An OCI image index, variants pushed by digest only. */
    public static PushIndexOptions defaults() {
        return DEFAULTS;
    }

    /** These options writing the index as {@code value} ({@code --manifest-list} for a Docker manifest list). */
    public PushIndexOptions withFormat(IndexFormat value) {
        return new PushIndexOptions(Objects.requireNonNull(value, "format"), platformTags);
    }

    /**
     * These options also tagging each variant {@code <tag>-<os>-<arch>[-<variant>]} ({@code --platform-tags}),
     * e.g. {@code 1.0-linux-arm64-v8}: Docker daemons before 23.0 crash installing a plugin by digest
     * (moby#47299), so a tag per platform is how they install one variant.
     */
    public PushIndexOptions withPlatformTags() {
        return new PushIndexOptions(format, true);
    }

    /** The document written. */
    public IndexFormat format() {
        return format;
    }

    /** Whether each variant is also pushed under its own tag. */
    public boolean platformTags() {
        return platformTags;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PushIndexOptions other && format == other.format && platformTags == other.platformTags;
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, platformTags);
    }

    @Override
    public String toString() {
        return "PushIndexOptions[format=" + format + ", platformTags=" + platformTags + "]";
    }
}
