package dev.berth.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * What Berth presents to a registry: a user name and password, or an identity (refresh) token as
 * {@code docker login} stores for OAuth2 registries. {@link #toString()} never shows a secret, so a
 * credential that ends up in a log line or an exception message leaks nothing.
 *
 * @param username      the user name; empty with an identity token
 * @param password      the password, empty with an identity token
 * @param identityToken an OAuth2 refresh token, if the registry issued one
 */
public record Credentials(String username, String password, Optional<String> identityToken) {
    /** Validates. */
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(identityToken, "identityToken");
    }

    /** A user name and password. */
    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, Optional.empty());
    }

    /** An identity token ({@code identitytoken} in Docker's config.json), used as an OAuth2 refresh token. */
    public static Credentials identityToken(String username, String token) {
        return new Credentials(username, "", Optional.of(Objects.requireNonNull(token, "token")));
    }

    /** The user name only: the secrets are never shown. */
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", secret=<redacted>]";
    }
}
