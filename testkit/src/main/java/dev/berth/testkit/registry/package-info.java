/**
 * Registries for tests: {@link dev.berth.testkit.registry.FakeRegistry}, an in-process OCI distribution
 * server with scripted faults; {@link dev.berth.testkit.registry.RecordingServer}, a host that records
 * what reaches it; {@link dev.berth.testkit.registry.RealRegistry}, the Debian {@code docker-registry}
 * started on 127.0.0.1 with a generated config (plain, htpasswd, token);
 * {@link dev.berth.testkit.registry.TokenServer}, a token server in Java; and
 * {@link dev.berth.testkit.registry.FaultProxy}, a hostile network (resets, stalls, drips, corrupted bytes,
 * status bursts, registry restarts) between a client and a real registry. Everything binds loopback only
 * and is stopped by {@code close()}.
 */
package dev.berth.testkit.registry;
