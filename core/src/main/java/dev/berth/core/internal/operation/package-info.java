/**
 * The manager's operations, one class per family: {@link dev.berth.core.internal.operation.Installer}
 * (privileges, install, upgrade), {@link dev.berth.core.internal.operation.Creator},
 * {@link dev.berth.core.internal.operation.PluginPusher}, {@link dev.berth.core.internal.operation.Remover},
 * {@link dev.berth.core.internal.operation.Lifecycle} (enable, disable, set, restore),
 * {@link dev.berth.core.internal.operation.GarbageCollector} and
 * {@link dev.berth.core.internal.operation.ListFilter}. Each takes the shared
 * {@link dev.berth.core.internal.manager.Engine}; those that build a plugin's files go through
 * {@link dev.berth.core.internal.manager.BuildTransaction}. Only {@code dev.berth.PluginManager} uses them.
 */
package dev.berth.core.internal.operation;
