/**
 * {@link dev.berth.store.FileContentStore}: Berth's durable {@link dev.berth.content.ContentStore},
 * in containerd's local layout so it reads and writes a Docker {@code plugins/storage} directory.
 */
package dev.berth.store;
