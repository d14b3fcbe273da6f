/**
 * Layers: {@link dev.berth.archive.TarRootfsApplier} applies tar, gzip and zstd layers onto a directory,
 * confined to it; {@link dev.berth.archive.TarContextSplitter} splits {@code docker plugin create}
 * contexts; {@link dev.berth.archive.TarLayerWriter} writes directories as reproducible layers.
 *
 * <p>Module {@code berth-archive}: implements the {@code dev.berth.rootfs} SPIs of {@code berth-api} and
 * depends on that module only (and Commons Compress). Applications and the CLI depend on it; no other
 * Berth library module may.
 */
package dev.berth.archive;
