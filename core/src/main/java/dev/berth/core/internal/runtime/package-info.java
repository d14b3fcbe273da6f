/**
 * The plugin supervisor: enables, disables, restarts and restores plugins through any
 * {@link dev.berth.runtime.PluginRuntime}, waits for their sockets and activates them. Internal to
 * {@code berth-core}; its tests live in core's test tree beside it.
 */
package dev.berth.core.internal.runtime;
