package dev.berth.rootfs;

/**
 * Resource caps for reading a layer or create context. A value past a cap ends the operation with an
 * {@link ArchiveException} of kind {@link ArchiveException.Kind#LIMIT}; the caps are what turn a
 * decompression bomb or a header claiming gigabytes into a clean error instead of a full disk or an
 * {@code OutOfMemoryError}.
 *
 * @param maxEntries           tar entries per archive
 * @param maxUncompressedBytes bytes of the uncompressed tar stream (headers and padding included)
 * @param maxPathLength        bytes of an entry's cleaned path (UTF-8)
 * @param maxNameLength        bytes of one path component
 * @param maxPathDepth         components of one path
 * @param maxHeaderSize        bytes of one extended header: a PAX record set or a GNU long name or link
 * @param maxLinkTargetLength  bytes of a symlink or hard-link target
 * @param maxConfigSize        bytes of a create context's {@code config.json}
 */
public record RootfsLimits(long maxEntries, long maxUncompressedBytes, int maxPathLength, int maxNameLength,
                           int maxPathDepth, int maxHeaderSize, int maxLinkTargetLength, int maxConfigSize) {
    /** 1 M entries. */
    public static final long DEFAULT_MAX_ENTRIES = 1L << 20;
    /** 2 GiB. */
    public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 2L << 30;

    /** Validates: every cap is positive. */
    public RootfsLimits {
        if (maxEntries <= 0 || maxUncompressedBytes <= 0 || maxPathLength <= 0 || maxNameLength <= 0
                || maxPathDepth <= 0 || maxHeaderSize <= 0 || maxLinkTargetLength <= 0 || maxConfigSize <= 0) {
            throw new IllegalArgumentException("every limit must be positive: " + this);
        }
    }

    /**
     * The defaults of the attack catalog: 1 M entries, 2 GiB uncompressed, paths of 4096 bytes,
     * components of 255 bytes, depth 256, extended headers of 1 MiB, link targets of 4096 bytes and a
     * config of 1 MiB.
     */
    public static RootfsLimits defaults() {
        return new RootfsLimits(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_UNCOMPRESSED_BYTES, 4096, 255, 256, 1 << 20, 4096,
                1 << 20);
    }

    /** A copy with another entry cap. */
    public RootfsLimits withMaxEntries(long value) {
        return new RootfsLimits(value, maxUncompressedBytes, maxPathLength, maxNameLength, maxPathDepth,
                maxHeaderSize, maxLinkTargetLength, maxConfigSize);
    }

    /** A copy with another uncompressed-size cap. */
    public RootfsLimits withMaxUncompressedBytes(long value) {
        return new RootfsLimits(maxEntries, value, maxPathLength, maxNameLength, maxPathDepth, maxHeaderSize,
                maxLinkTargetLength, maxConfigSize);
    }

    /** A copy with another path-length cap. */
    public RootfsLimits withMaxPathLength(int value) {
        return new RootfsLimits(maxEntries, maxUncompressedBytes, value, maxNameLength, maxPathDepth, maxHeaderSize,
                maxLinkTargetLength, maxConfigSize);
    }

    /** A copy with another path-depth cap. */
    public RootfsLimits withMaxPathDepth(int value) {
        return new RootfsLimits(maxEntries, maxUncompressedBytes, maxPathLength, maxNameLength, value, maxHeaderSize,
                maxLinkTargetLength, maxConfigSize);
    }

    /** A copy with another extended-header cap. */
    public RootfsLimits withMaxHeaderSize(int value) {
        return new RootfsLimits(maxEntries, maxUncompressedBytes, maxPathLength, maxNameLength, maxPathDepth, value,
                maxLinkTargetLength, maxConfigSize);
    }

    /** A copy with another config-size cap. */
    public RootfsLimits withMaxConfigSize(int value) {
        return new RootfsLimits(maxEntries, maxUncompressedBytes, maxPathLength, maxNameLength, maxPathDepth,
                maxHeaderSize, maxLinkTargetLength, value);
    }
}
