package dev.berth.plugin;

import java.util.List;
import java.util.Objects;

/**
 * The {@code rootfs} block of a plugin config: the layers' IDs. Informational only; note that the
 * IDs Docker writes are the <em>compressed</em> layer digests, not the uncompressed diff IDs an image
 * config would hold, so Berth accepts either.
 *
 * @param diffIds the layer IDs as written; nullable
 * @param type    {@code layers}, or empty
 */
public record PluginRootfs(List<String> diffIds, String type) {
    /** Checks and copies. */
    public PluginRootfs {
        diffIds = Nulls.copy(diffIds);
        Objects.requireNonNull(type, "type");
    }
}
