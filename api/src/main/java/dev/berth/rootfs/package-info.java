/**
 * Root filesystems of plugins as layers: the SPIs that apply a layer onto a directory, split a
 * {@code docker plugin create} context and write a directory as a layer, with their results, limits
 * and policy.
 *
 * <p>Layers come from strangers. Implementations promise that nothing is ever written, removed,
 * chmod-ed or chown-ed outside the target directory, whatever the archive holds, and that a hostile or
 * damaged archive ends with an {@link dev.berth.rootfs.ArchiveException} naming what was wrong. The
 * caller owns the target directory: on failure it is left partially written and the caller discards
 * it (a plugin's rootfs is always built in a private temporary directory and promoted only once
 * complete).
 */
package dev.berth.rootfs;
