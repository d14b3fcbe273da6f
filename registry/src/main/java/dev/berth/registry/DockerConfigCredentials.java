package dev.berth.registry;

import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.JsonObject;
import dev.berth.oci.Reference;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials from Docker's {@code config.json}, looked up as the Docker CLI does: a
 * {@code credHelpers} entry for the host first, then the {@code credsStore}, then {@code auths}
 * ({@code auth} as base64 {@code user:password}, or {@code identitytoken}). Keys are compared by host
 * name (scheme and path dropped), and Docker Hub answers to its aliases ({@code docker.io},
 * {@code index.docker.io}, {@code registry-1.docker.io}, {@code https://index.docker.io/v1/}).
 * Helpers speak the {@code docker-credential-*} protocol: {@code get} with the server URL on stdin, JSON
 * on stdout; a helper user name of {@code <token>} marks an identity token.
 *
 * <p>The file is read on every lookup (it is small, and {@code docker login} may change it). Thread-safe.
 * Neither {@link #toString()} nor any exception message contains a secret.
 */
public final class DockerConfigCredentials implements CredentialProvider {
    private static final Logger LOG = LoggerFactory.getLogger(DockerConfigCredentials.class);
    private static final Set<String> HUB_ALIASES = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private static final String HUB_SERVER_URL = "https://index.docker.io/v1/";
    private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final int MAX_HELPER_OUTPUT = 1 << 20;
    private static final long HELPER_TIMEOUT_SECONDS = 30;

    private final Path configFile;
    private final List<Path> helperPath;

    private DockerConfigCredentials(Path configFile, List<Path> helperPath) {
        this.configFile = configFile;
        this.helperPath = List.copyOf(helperPath);
    }

    /**
     * The config Docker itself would use: {@code $DOCKER_CONFIG/config.json}, else
     * {@code ~/.docker/config.json}; helpers from {@code PATH}.
     */
    public static DockerConfigCredentials fromEnvironment() {
        String dockerConfig = System.getenv("DOCKER_CONFIG");
        Path dir = dockerConfig != null && !dockerConfig.isEmpty() ? Path.of(dockerConfig)
                : Path.of(System.getProperty("user.home"), ".docker");
        return of(dir.resolve("config.json"));
    }

    /** A given config file; helpers from {@code PATH}. */
    public static DockerConfigCredentials of(Path configFile) {
        List<Path> path = new ArrayList<>();
        String env = System.getenv("PATH");
        if (env != null) {
            for (String d : env.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    path.add(Path.of(d));
                }
            }
        }
        return new DockerConfigCredentials(Objects.requireNonNull(configFile, "configFile"), path);
    }

    /** A copy that looks for {@code docker-credential-*} helpers only in these directories. */
    public DockerConfigCredentials withHelperPath(List<Path> directories) {
        return new DockerConfigCredentials(configFile, directories);
    }

    @Override
    public Optional<Credentials> credentials(String host) {
        Objects.requireNonNull(host, "host");
        JsonObject config = read();
        if (config == null) {
            return Optional.empty();
        }
        String wanted = normalize(host);
        JsonObject helpers = config.object("credHelpers");
        if (helpers != null) {
            for (String key : helpers.keys()) {
                if (normalize(key).equals(wanted) && helpers.get(key) instanceof String name && !name.isEmpty()) {
                    return fromHelper(name, host);
                }
            }
        }
        String store = config.get("credsStore") instanceof String s ? s : "";
        if (!store.isEmpty()) {
            return fromHelper(store, host);
        }
        JsonObject auths = config.object("auths");
        if (auths != null) {
            for (String key : auths.keys()) {
                if (normalize(key).equals(wanted) && auths.get(key) instanceof JsonObject entry) {
                    Optional<Credentials> c = fromAuthEntry(entry, key);
                    if (c.isPresent()) {
                        return c;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private JsonObject read() {
        try {
            byte[] bytes = Files.readAllBytes(configFile);
            return Json.parseObject(bytes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | JsonException e) {
            // the file holds secrets: name it, never quote it
            LOG.warn("ignoring unreadable Docker config {}: {}", configFile, e.getClass().getSimpleName());
            return null;
        }
    }

    private static Optional<Credentials> fromAuthEntry(JsonObject entry, String key) {
        String identityToken = entry.get("identitytoken") instanceof String s ? s : "";
        String auth = entry.get("auth") instanceof String s ? s : "";
        String user = entry.get("username") instanceof String s ? s : "";
        String password = entry.get("password") instanceof String s ? s : "";
        if (!auth.isEmpty()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    LOG.warn("ignoring the auths entry for {}: its auth field is not user:password", key);
                    return Optional.empty();
                }
                user = decoded.substring(0, colon);
                password = decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring the auths entry for {}: its auth field is not base64", key);
                return Optional.empty();
            }
        }
        if (!identityToken.isEmpty()) {
            return Optional.of(Credentials.identityToken(user, identityToken));
        }
        if (user.isEmpty() && password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Credentials.basic(user, password));
    }

    private Optional<Credentials> fromHelper(String name, String host) {
        if (!HELPER_NAME.matcher(name).matches()) {
            LOG.warn("ignoring credential helper with an invalid name");
            return Optional.empty();
        }
        String program = "docker-credential-" + name;
        Path exe = helperPath.stream().map(d -> d.resolve(program)).filter(Files::isExecutable).findFirst().orElse(null);
        if (exe == null) {
            LOG.warn("credential helper {} not found", program);
            return Optional.empty();
        }
        String serverUrl = HUB_ALIASES.contains(normalize(host)) ? HUB_SERVER_URL : host;
        try {
            Process p = new ProcessBuilder(exe.toString(), "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out;
            try (InputStream stdout = p.getInputStream()) {
                out = stdout.readNBytes(MAX_HELPER_OUTPUT + 1);
            }
            if (!p.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("credential helper {} did not answer within {} s", program, HELPER_TIMEOUT_SECONDS);
                return Optional.empty();
            }
            if (p.exitValue() != 0 || out.length > MAX_HELPER_OUTPUT) {
                // "credentials not found in native keychain" is the usual reason: anonymous, not an error
                LOG.debug("credential helper {} has nothing for {} (exit {})", program, host, p.exitValue());
                return Optional.empty();
            }
            JsonObject o = Json.parseObject(out, MAX_HELPER_OUTPUT);
            String user = o.get("Username") instanceof String s ? s : "";
            String secret = o.get("Secret") instanceof String s ? s : "";
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            if (user.equals("<token>")) {
                return Optional.of(Credentials.identityToken("", secret));
            }
            return Optional.of(Credentials.basic(user, secret));
        } catch (IOException | JsonException e) {
            LOG.warn("credential helper {} failed: {}", program, e.getClass().getSimpleName());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A config key or host as a bare host name: scheme and path dropped, Docker Hub's aliases folded. */
    static String normalize(String key) {
        String s = key.trim();
        if (s.contains("://")) {
            try {
                URI u = URI.create(s);
                s = u.getRawAuthority() != null ? u.getRawAuthority() : s;
            } catch (IllegalArgumentException e) {
                s = s.substring(s.indexOf("://") + 3);
            }
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        s = s.toLowerCase(Locale.ROOT);
        return HUB_ALIASES.contains(s) ? Reference.DOCKER_HUB : s;
    }

    /** Names the file only. */
    @Override
    public String toString() {
        return "DockerConfigCredentials[" + configFile + "]";
    }

}
