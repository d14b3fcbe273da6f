package dev.berth.rootfs;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Applies one layer onto a directory, confined to it.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>The media type decides the compression; a generic type ({@code application/octet-stream}) is
 *       sniffed from the magic bytes. An unsupported type fails with
 *       {@link ArchiveException.Kind#UNSUPPORTED}; it never yields an empty root.</li>
 *   <li>Nothing outside {@code root} is created, written, removed or has its metadata changed, whatever
 *       the archive holds.</li>
 *   <li>The diff ID is computed in the same single pass over the stream, trailing bytes included.</li>
 *   <li>On failure the root is left partially applied: the caller discards it.</li>
 * </ul>
 * Implementations are thread-safe; concurrent calls must target different roots.
 */
public interface RootfsApplier {
    /**
     * Applies a layer.
     *
     * @param layer     the layer blob; read once, to its end; not closed (the caller closes it)
     * @param mediaType the layer's media type
     * @param root      an existing directory, private to the caller for the duration of the call (not
     *                  writable by other users)
     * @return the diff ID and size of the uncompressed stream
     * @throws ArchiveException        if the layer is hostile, malformed, too big or unsupported
     * @throws dev.berth.exception.SystemException if reading the stream or writing the root fails
     */
    AppliedLayer apply(InputStream layer, String mediaType, Path root);
}
