package dev.berth.registry.internal;

import dev.berth.internal.http.StreamBody;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One logical request to a registry or token server, before redirects, authentication and retries.
 *
 * @param method        HTTP method
 * @param uri           absolute URI
 * @param headers       extra headers, name then value, in order (repeated names allowed)
 * @param body          a fresh body per attempt, or empty for none
 * @param registry      the registry host whose credentials and tokens apply, or empty for none (token
 *                      requests carry their own {@code authorization})
 * @param scopes        the token scopes a registry request needs
 * @param authorization a fixed Authorization value for the first origin only (token requests)
 * @param insecure      whether plain http is allowed for this registry (redirect downgrade check)
 */
public record Request(String method, URI uri, List<String[]> headers, Optional<Supplier<StreamBody>> body,
                      Optional<String> registry, List<String> scopes, Optional<String> authorization, boolean insecure) {
    /** Copies. */
    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(registry, "registry");
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(authorization, "authorization");
    }

    /** A bodiless request to a registry. */
    public static Request registry(String method, URI uri, String registry, List<String> scopes, boolean insecure) {
        return new Request(method, uri, List.of(), Optional.empty(), Optional.of(registry), scopes, Optional.empty(),
                insecure);
    }

    /** A copy with one more header. */
    public Request header(String name, String value) {
        List<String[]> h = new ArrayList<>(headers);
        h.add(new String[] {name, value});
        return new Request(method, uri, h, body, registry, scopes, authorization, insecure);
    }

    /** A copy with a body. */
    public Request body(Supplier<StreamBody> value) {
        return new Request(method, uri, headers, Optional.of(value), registry, scopes, authorization, insecure);
    }

    /** A copy with another URI. */
    public Request uri(URI value) {
        return new Request(method, value, headers, body, registry, scopes, authorization, insecure);
    }
}
