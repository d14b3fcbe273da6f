/** Plugin events for embedders: a sealed family of records and the publisher interface. */
package dev.berth.event;
