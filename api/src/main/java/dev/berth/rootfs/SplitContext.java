package dev.berth.rootfs;

import java.util.Arrays;
import java.util.Objects;

/**
 * The two halves of a {@code docker plugin create} context: the bytes of its {@code config.json},
 * as found, and the layer made of its {@code rootfs/} entries.
 */
public final class SplitContext {
    private final byte[] config;
    private final WrittenLayer layer;

    /**
     * @param config the config bytes, copied
     * @param layer  the rootfs layer written to the sink
     */
    public SplitContext(byte[] config, WrittenLayer layer) {
        this.config = Objects.requireNonNull(config, "config").clone();
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    /** A copy of the {@code config.json} bytes, unparsed. */
    public byte[] config() {
        return config.clone();
    }

    /** The rootfs layer. */
    public WrittenLayer layer() {
        return layer;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SplitContext other && Arrays.equals(config, other.config) && layer.equals(other.layer);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(config) + layer.hashCode();
    }

    @Override
    public String toString() {
        return "SplitContext[config=" + config.length + " bytes, layer=" + layer + "]";
    }
}
