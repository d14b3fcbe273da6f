/**
 * Calling enabled plugins: {@link dev.berth.client.PluginClient} for Docker's plugin protocol, over the
 * plugin's unix socket or through the {@link dev.berth.runtime.PluginTransport} of a
 * {@link dev.berth.runtime.RunningPlugin}, and typed clients of Docker's plugin APIs:
 * {@link dev.berth.client.VolumeDriverClient}, {@link dev.berth.client.NetworkDriverClient},
 * {@link dev.berth.client.IpamDriverClient}, {@link dev.berth.client.AuthzClient} and
 * {@link dev.berth.client.LogDriverClient}.
 */
package dev.berth.client;
