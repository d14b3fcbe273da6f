package dev.berth.cli;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import java.util.Map;
import java.util.Objects;

/**
 * Sends references of some registry hosts to their own resolver and everything else to a default one.
 * The tool uses it to reach an OCI layout through a reserved host name next to real registries.
 * Immutable and thread-safe when its resolvers are.
 */
final class RoutingResolver implements RegistryResolver {
    private final Map<String, RegistryResolver> byDomain;
    private final RegistryResolver fallback;

    RoutingResolver(Map<String, RegistryResolver> byDomain, RegistryResolver fallback) {
        this.byDomain = Map.copyOf(byDomain);
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    private RegistryResolver route(Reference reference) {
        return byDomain.getOrDefault(reference.domain(), fallback);
    }

    @Override
    public Descriptor resolve(Reference reference) {
        return route(reference).resolve(reference);
    }

    @Override
    public Descriptor resolve(Reference reference, Platform platform) {
        return route(reference).resolve(reference, platform);
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        return route(reference).fetcher(reference);
    }

    @Override
    public Pusher pusher(Reference reference) {
        return route(reference).pusher(reference);
    }
}
