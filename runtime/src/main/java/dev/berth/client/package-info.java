/**
 * Calling enabled plugins over their unix sockets: {@link dev.berth.client.PluginClient} for Docker's
 * plugin protocol and {@link dev.berth.client.VolumeDriverClient} for the VolumeDriver API.
 */
package dev.berth.client;
