package dev.berth.rootfs;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Writes a directory tree as a deterministic layer blob: the same tree gives the same bytes.
 *
 * <p>Implementations are thread-safe. The tree must not change while it is written.
 */
public interface LayerWriter {
    /**
     * Writes a layer.
     *
     * @param root the directory whose contents become the layer (the directory itself is not an entry)
     * @param sink where the blob is written; flushed, not closed (the caller commits or aborts it)
     * @return the blob's digest and size and the diff ID
     * @throws dev.berth.exception.SystemException if reading the tree or writing the sink fails
     */
    WrittenLayer write(Path root, OutputStream sink);
}
