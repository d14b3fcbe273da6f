/**
 * {@link dev.berth.runc.RuncRuntime}: Berth's default {@link dev.berth.runtime.PluginRuntime}, which
 * runs plugin containers with the {@code runc} binary directly.
 */
package dev.berth.runc;
