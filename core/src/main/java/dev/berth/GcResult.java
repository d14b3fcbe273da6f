package dev.berth;

import dev.berth.oci.Digest;
import java.util.List;

/**
 * What {@link PluginManager#gc()} removed.
 *
 * @param removed    the digests of the blobs deleted
 * @param bytesFreed their total size
 */
public record GcResult(List<Digest> removed, long bytesFreed) {
    /** Copies. */
    public GcResult {
        removed = List.copyOf(removed);
    }
}
