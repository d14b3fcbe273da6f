package dev.berth.core.internal.manager;

import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.JsonObject;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.InvalidPlatformException;
import dev.berth.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The platform a plugin's config blob records. Docker's plugin config has no platform; Berth records it
 * with the OCI image config's keys ({@code architecture}, {@code os}, {@code variant}), appended after
 * Docker's fields. Docker decodes configs leniently and ignores them, so a Docker daemon installs the
 * blob as it installs any other; the blob keeps Docker's bytes for every field Docker knows. Stateless.
 */
public final class ConfigPlatform {
    private ConfigPlatform() {
    }

    /**
     * The blob with {@code platform} recorded: {@code ,"architecture":..,"os":..[,"variant":..]} inserted
     * before the closing brace, so the rest stays byte for byte what Docker writes.
     *
     * @param blob a compact config blob as {@code PluginJson.encodeConfigBlob} writes it (an object,
     *             optionally followed by one newline), without these keys
     */
    public static byte[] record(byte[] blob, Platform platform) {
        String text = new String(blob, StandardCharsets.UTF_8);
        int close = text.lastIndexOf('}');
        if (close < 1 || !text.substring(close + 1).isBlank()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        // The parts are [a-z0-9._-] (Platform.parse, or checked below), so they need no escaping.
        StringBuilder keys = new StringBuilder();
        keys.append(text.charAt(close - 1) == '{' ? "" : ",");
        keys.append("\"architecture\":\"").append(checked(platform.architecture())).append('"');
        keys.append(",\"os\":\"").append(checked(platform.os())).append('"');
        platform.variant().ifPresent(v -> keys.append(",\"variant\":\"").append(checked(v)).append('"'));
        return (text.substring(0, close) + keys + text.substring(close)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The platform a config blob records, empty when it records none (every config Docker writes).
     *
     * @throws InvalidParameterException when it records a malformed one, or only half of one
     */
    public static Optional<Platform> read(byte[] blob) {
        JsonObject o;
        try {
            o = Json.parseObject(blob, OciJson.MAX_CONFIG_BYTES);
        } catch (JsonException e) {
            throw new InvalidParameterException("invalid plugin config: " + e.getMessage(), e);
        }
        String os = stringOrEmpty(o, "os");
        String arch = stringOrEmpty(o, "architecture");
        String variant = stringOrEmpty(o, "variant");
        if (os.isEmpty() && arch.isEmpty()) {
            return Optional.empty();
        }
        String text = os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
        try {
            return Optional.of(Platform.parse(text));
        } catch (InvalidPlatformException e) {
            throw new InvalidParameterException("plugin config records an invalid platform: " + e.getMessage(), e);
        }
    }

    private static String stringOrEmpty(JsonObject o, String key) {
        try {
            return o.string(key);
        } catch (JsonException e) {
            throw new InvalidParameterException("invalid plugin config: " + e.getMessage(), e);
        }
    }

    private static String checked(String part) {
        if (!part.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new InvalidParameterException("invalid platform component \"" + part + "\"");
        }
        return part;
    }
}
