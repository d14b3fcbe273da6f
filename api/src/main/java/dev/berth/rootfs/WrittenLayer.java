package dev.berth.rootfs;

import dev.berth.oci.Digest;
import java.util.Objects;

/**
 * A layer blob that was written into a sink: what a manifest's layer descriptor and a config's
 * {@code rootfs.diff_ids} need.
 *
 * @param mediaType        the blob's media type, e.g. {@code application/vnd.docker.image.rootfs.diff.tar.gzip}
 * @param digest           the digest of the bytes written to the sink (the compressed blob)
 * @param size             how many bytes were written to the sink
 * @param diffId           the digest of the uncompressed tar stream
 * @param uncompressedSize the length of the uncompressed tar stream
 */
public record WrittenLayer(String mediaType, Digest digest, long size, Digest diffId, long uncompressedSize) {
    /** Validates. */
    public WrittenLayer {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(diffId, "diffId");
        if (size < 0 || uncompressedSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative: " + size + ", " + uncompressedSize);
        }
    }
}
