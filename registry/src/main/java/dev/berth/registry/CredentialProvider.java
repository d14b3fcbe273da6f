package dev.berth.registry;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Supplies credentials per registry host. Implementations must be thread-safe; they are asked on the
 * first challenge from a host and again when a token must be renewed.
 */
@FunctionalInterface
public interface CredentialProvider {
    /**
     * The credentials for a registry.
     *
     * @param host the registry host as it appears in references ({@code docker.io} for Docker Hub,
     *             {@code localhost:5000}, {@code ghcr.io})
     * @return the credentials, or empty for anonymous access
     */
    Optional<Credentials> credentials(String host);

    /** No credentials for anyone. */
    static CredentialProvider anonymous() {
        return host -> Optional.empty();
    }

    /** Fixed credentials per host. */
    static CredentialProvider of(Map<String, Credentials> byHost) {
        Map<String, Credentials> copy = Map.copyOf(byHost);
        return host -> Optional.ofNullable(copy.get(Objects.requireNonNull(host, "host")));
    }

    /** This provider, then {@code other} for hosts this one has nothing for. */
    default CredentialProvider orElse(CredentialProvider other) {
        Objects.requireNonNull(other, "other");
        return host -> {
            Optional<Credentials> c = credentials(host);
            return c.isPresent() ? c : other.credentials(host);
        };
    }
}
