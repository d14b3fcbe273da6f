/**
 * Internals of the archive module: name cleaning, chroot-style path resolution, decompression and
 * the guarded tar reader. Not exported; nothing outside {@code dev.berth.archive} may rely on them.
 */
package dev.berth.archive.internal;
