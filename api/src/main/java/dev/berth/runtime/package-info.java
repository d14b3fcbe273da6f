/**
 * Running plugins, independent of the container runtime: the {@link dev.berth.runtime.PluginRuntime}
 * SPI, the OCI runtime spec of a plugin ({@link dev.berth.runtime.PluginSpecGenerator}, a pure
 * function matching dockerd's), and the plugin supervisor (in core) that enables,
 * disables, restarts and restores plugins through any runtime. The default runtime, runc, lives in
 * the {@code berth-runtime} module; tests use the testkit's fake.
 */
package dev.berth.runtime;
