/**
 * Plugin events for embedders: a sealed family of records ({@link dev.berth.event.PluginEvent}), the
 * listener interface ({@link dev.berth.event.EventPublisher}), subscriptions and their filters
 * ({@link dev.berth.event.Subscription}, {@link dev.berth.event.EventFilter}) and the journal entry in
 * the shape of Docker's event message ({@link dev.berth.event.EventMessage}).
 */
package dev.berth.event;
