/**
 * The engine's state and its one build path: the plugin root on disk ({@code PluginRoot}) and its
 * in-memory table, the shared {@code Engine}, the {@code BuildTransaction} that install, create and
 * upgrade go through, the registry walk ({@code Pull}), blob bookkeeping for undo, settings and config
 * validation. Internal to {@code berth-core}; not exported.
 */
package dev.berth.core.internal.manager;
