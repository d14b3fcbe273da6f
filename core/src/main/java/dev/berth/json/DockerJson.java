package dev.berth.json;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginPrivilege;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Docker-shaped JSON for tools that embed Berth: the documents {@code docker plugin inspect} and the
 * Engine API print, byte for byte as Docker's Go code writes them, and a plain-value reader and writer
 * for tools that post-process them (templates, filters).
 *
 * <p>Every method is a pure function and thread-safe. Writers produce compact JSON with Go's escapes
 * ({@code <}, {@code >}, {@code &} as backslash-u escapes unless stated otherwise).
 */
public final class DockerJson {
    /** The largest document {@link #parse(String)} accepts: 16 MiB of UTF-8. */
    public static final int MAX_PARSE_BYTES = 16 << 20;

    private DockerJson() {
    }

    /** One plugin as {@code docker plugin inspect} and {@code GET /plugins/{name}/json} show it. */
    public static String plugin(Plugin plugin) {
        return PluginJson.encodePlugin(Objects.requireNonNull(plugin, "plugin"));
    }

    /** A JSON array of plugins, as {@code GET /plugins} returns it. */
    public static String plugins(List<Plugin> plugins) {
        return PluginJson.encodePlugins(List.copyOf(plugins));
    }

    /** Privileges as {@code GET /plugins/privileges} returns them: {@code [{"Name":..,"Description":..,"Value":[..]}]}. */
    public static String privileges(List<PluginPrivilege> privileges) {
        return PluginJson.encodePrivileges(List.copyOf(privileges));
    }

    /** A plugin config as its config blob holds it (the bytes whose digest the manifest names). */
    public static String config(PluginConfig config) {
        return PluginJson.encodeConfig(Objects.requireNonNull(config, "config"));
    }

    /**
     * Reads a JSON document into plain values: {@code Map<String, Object>} in document order,
     * {@code List<Object>}, {@link String}, {@link java.math.BigDecimal}, {@link Boolean} and
     * {@code null}. The maps and lists are unmodifiable.
     *
     * @throws IllegalArgumentException if the text is not one JSON document, repeats a key (in any
     *                                  case, as Go's decoder would merge them) or exceeds {@link #MAX_PARSE_BYTES}
     */
    public static Object parse(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try {
            return plain(Json.parse(bytes, MAX_PARSE_BYTES));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Writes plain values (as {@link #parse} returns them, or any {@code Map<String, ?>}, {@code List},
     * {@code String}, {@code Number}, {@code Boolean}, {@code null}) as Go's {@code json.Marshal} writes
     * them, maps in their iteration order.
     *
     * @throws IllegalArgumentException for a value of any other type
     */
    public static String encode(Object value) {
        return new GoJsonWriter().tree(value).toString();
    }

    /**
     * {@link #encode} without escaping {@code <}, {@code >} and {@code &}, as a Go encoder with
     * {@code SetEscapeHTML(false)} writes (Docker's {@code json} template function).
     */
    public static String encodeWithoutHtmlEscaping(Object value) {
        return GoJsonWriter.withoutHtmlEscaping().tree(value).toString();
    }

    private static Object plain(Object node) {
        if (node == Json.NULL) {
            return null;
        }
        if (node instanceof JsonObject o) {
            Map<String, Object> map = new LinkedHashMap<>();
            o.entries().forEach((k, v) -> map.put(k, plain(v)));
            return Collections.unmodifiableMap(map);
        }
        if (node instanceof List<?> l) {
            List<Object> list = new ArrayList<>(l.size());
            l.forEach(v -> list.add(plain(v)));
            return Collections.unmodifiableList(list);
        }
        return node;
    }
}
