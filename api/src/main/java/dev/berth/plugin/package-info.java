/**
 * The plugin model: Docker's plugin config blob, the plugin object the Engine API returns, its
 * settings, privileges and on-disk record, as immutable records.
 *
 * <h2>Null and empty</h2>
 * Berth's convention is that collections are empty, never null. This package has one deliberate
 * exception: fields that are Go slices or pointers in Docker's types keep the difference between JSON
 * {@code null} (or an absent key) and an empty value, because Docker's bytes, and so the digests of
 * config blobs, depend on it. Such components are documented as <em>nullable</em>; every other
 * component is never null.
 */
package dev.berth.plugin;
