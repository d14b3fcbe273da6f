package dev.berth.cli;

import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.JsonObject;
import dev.berth.registry.CredentialProvider;
import dev.berth.registry.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code auths} of a Docker client {@code config.json} ({@code docker login} writes them) into
 * a {@link CredentialProvider}. Credential helpers ({@code credsStore}, {@code credHelpers}) are not run:
 * a host they serve gets anonymous access and a debug line says why.
 */
final class DockerConfigCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(DockerConfigCredentials.class);
    private static final String HUB_KEY = "https://index.docker.io/v1/";

    private DockerConfigCredentials() {
    }

    /** The credentials in {@code <dir>/config.json}; anonymous when the file does not exist. */
    static CredentialProvider load(Path dir) {
        Path file = dir.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return CredentialProvider.anonymous();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Docker client config " + file + ": " + e.getMessage(), e);
        }
        JsonObject root;
        try {
            root = Json.parseObject(bytes);
        } catch (JsonException e) {
            throw new IllegalArgumentException("invalid Docker client config " + file + ": " + e.getMessage(), e);
        }
        if (root.has("credsStore") || root.has("credHelpers")) {
            LOG.debug("{} names credential helpers; berth does not run them and uses only its auths", file);
        }
        Map<String, Credentials> byHost = new HashMap<>();
        Object auths = root.get("auths");
        if (auths instanceof JsonObject a) {
            for (Map.Entry<String, Object> e : a.entries().entrySet()) {
                if (e.getValue() instanceof JsonObject entry) {
                    decode(entry).ifPresent(c -> byHost.put(host(e.getKey()), c));
                }
            }
        }
        return CredentialProvider.of(byHost);
    }

    /** The registry host of an {@code auths} key: Docker Hub's legacy URL, a URL, or a bare host. */
    static String host(String key) {
        if (key.equals(HUB_KEY) || key.equals("index.docker.io") || key.equals("registry-1.docker.io")) {
            return "docker.io";
        }
        String h = key.replaceFirst("^https?://", "");
        int slash = h.indexOf('/');
        return slash >= 0 ? h.substring(0, slash) : h;
    }

    private static Optional<Credentials> decode(JsonObject entry) {
        String token = entry.get("identitytoken") instanceof String s && !s.isEmpty() ? s : null;
        String user = "";
        String password = "";
        if (entry.get("auth") instanceof String auth && !auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                LOG.debug("ignoring an auths entry whose auth is not base64");
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            user = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        if (token != null) {
            return Optional.of(Credentials.identityToken(user, token));
        }
        return user.isEmpty() ? Optional.empty() : Optional.of(Credentials.basic(user, password));
    }
}
