/**
 * Registries for tests: {@link dev.berth.testkit.registry.FakeRegistry}, an in-process OCI distribution
 * server with scripted faults; {@link dev.berth.testkit.registry.RecordingServer}, a host that records
 * what reaches it; {@link dev.berth.testkit.registry.RealRegistry}, the Debian {@code docker-registry}
 * started on 127.0.0.1 with a generated config (plain, htpasswd, token); and
 * {@link dev.berth.testkit.registry.TokenServer}, a token server in Java. Everything binds loopback only
 * and is stopped by {@code close()}.
 */
package dev.berth.testkit.registry;
