/**
 * Plugin events after an operation: the journal of recent events in the plugin root
 * ({@link dev.berth.core.internal.event.EventJournal}) and the hub that records and delivers them to
 * subscribers, each on its own bounded queue ({@link dev.berth.core.internal.event.EventHub}).
 */
package dev.berth.core.internal.event;
