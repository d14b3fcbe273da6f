package dev.berth.rootfs;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Splits a {@code docker plugin create} context (a tar, possibly gzip-compressed, holding
 * {@code config.json} and {@code rootfs/}) into the config bytes and a layer of the re-rooted
 * {@code rootfs/} entries, in one streaming pass.
 *
 * <p>Implementations are thread-safe.
 */
public interface ContextSplitter {
    /**
     * Splits a context.
     *
     * @param context the context stream; read to its end; not closed (the caller closes it)
     * @param layer   where the layer blob is written; flushed, not closed (the caller commits or aborts it)
     * @return the config bytes and what was written
     * @throws ArchiveException          {@link ArchiveException.Kind#CONFIG} for a missing, duplicate or
     *                                   non-regular config or a missing rootfs; other kinds for hostile or
     *                                   malformed content
     * @throws dev.berth.exception.SystemException if reading or writing fails
     */
    SplitContext split(InputStream context, OutputStream layer);
}
