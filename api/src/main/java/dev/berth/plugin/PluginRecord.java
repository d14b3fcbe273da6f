package dev.berth.plugin;

import dev.berth.oci.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What Docker (and Berth) keeps on disk for a plugin in {@code <root>/<id>/config.json}.
 *
 * @param plugin         the plugin object
 * @param rootfs         the absolute rootfs path as Docker wrote it; empty until the first enable
 * @param config         the digest of the config blob in the content store
 * @param blobsums       the digests of the layer blobs, in manifest order; nullable (Docker writes
 *                       {@code null} when it recorded none)
 * @param manifest       the digest of the manifest blob, if known
 * @param swarmServiceId the swarm service that created it, or empty
 */
public record PluginRecord(Plugin plugin, String rootfs, Optional<Digest> config, List<Digest> blobsums,
                           Optional<Digest> manifest, String swarmServiceId) {
    /** Checks and copies. */
    public PluginRecord {
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(config, "config");
        blobsums = Nulls.copy(blobsums);
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(swarmServiceId, "swarmServiceId");
    }

    /** The layer blob digests, empty when none were recorded. */
    public List<Digest> blobsumsOrEmpty() {
        return Nulls.orEmpty(blobsums);
    }

    /** A copy with another plugin object. */
    public PluginRecord withPlugin(Plugin value) {
        return new PluginRecord(value, rootfs, config, blobsums, manifest, swarmServiceId);
    }
}
