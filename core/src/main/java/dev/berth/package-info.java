/**
 * The facade: {@link dev.berth.PluginManager} and the values and builders of its operations
 * ({@link dev.berth.InstallOperation}, {@link dev.berth.UpgradeOperation}, {@link dev.berth.PushedPlugin},
 * {@link dev.berth.GcResult}, {@link dev.berth.GetMode}). The manager delegates each operation to a class
 * of {@code dev.berth.core.internal.operation}.
 *
 * <p>Module {@code berth-core}: applications, the CLI and the examples depend on it (it brings
 * {@code berth-api}); no other library module may, so implementations never see the engine.
 */
package dev.berth;
