package dev.berth.client;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import dev.berth.internal.unixhttp.UnixSocketTransport;
import dev.berth.runtime.PluginTransport;
import dev.berth.runtime.RunningPlugin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The host's way to call an enabled plugin: Docker's plugin protocol, an HTTP/1.1 {@code POST} of JSON
 * to {@code /<Method>} over the plugin's unix socket, with {@code Accept:
 * application/vnd.docker.plugins.v1.2+json}, or through the {@link PluginTransport} of a
 * {@link RunningPlugin} (so the same code calls a real plugin and the testkit's in-process fake). Every
 * call has a deadline and a response size cap. Unlike Docker's client it does not retry: the caller
 * decides.
 *
 * <p>Immutable and thread-safe; each call uses its own connection, so there is nothing to close.
 */
public final class PluginClient {
    private final Path socket;
    private final PluginTransport transport;
    private final Duration timeout;
    private final int maxResponseBytes;

    private PluginClient(Builder b) {
        this.socket = b.socket;
        this.transport = b.transport != null ? b.transport : new UnixSocketTransport(b.socket);
        this.timeout = b.timeout;
        this.maxResponseBytes = b.maxResponseBytes;
    }

    /** A client of the plugin serving this socket, with the default 30 s timeout and 1 MiB cap. */
    public static PluginClient of(Path socket) {
        return builder().socket(socket).build();
    }

    /**
     * A client of a running plugin, e.g. {@code PluginManager.endpoint(name)}, through its transport,
     * with the default 30 s timeout and 1 MiB cap.
     */
    public static PluginClient of(RunningPlugin plugin) {
        return builder().endpoint(plugin).build();
    }

    /** A builder; {@code socket} or {@code endpoint} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plugin's socket. */
    public Path socket() {
        return socket;
    }

    /** How calls reach the plugin. */
    public PluginTransport transport() {
        return transport;
    }

    /** The deadline of each call. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Calls a plugin method with a JSON body and returns the JSON object it answered.
     *
     * @param method the method, e.g. {@code VolumeDriver.Create} (no leading slash)
     * @param body   the request body, a JSON document
     * @return the response body as raw JSON bytes
     * @throws PluginCallException if the call fails or the plugin answers a status other than 200
     */
    public byte[] call(String method, byte[] body) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(body, "body");
        if (method.isEmpty() || method.startsWith("/") || !method.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("bad plugin method: \"" + method + "\"");
        }
        PluginTransport.Response response;
        try {
            response = transport.post("/" + method, body, timeout, maxResponseBytes);
        } catch (IOException e) {
            throw new PluginCallException(method, method + ": " + e.getMessage(), e);
        }
        if (response.status() != 200) {
            String err = response.bodyText();
            try {
                String field = Json.parseObject(response.body(), maxResponseBytes).string("Err");
                if (!field.isEmpty()) {
                    err = field;
                }
            } catch (IllegalArgumentException notJson) {
                // Docker reports the raw body then
            }
            throw new PluginCallException(method, method + ": " + err, null);
        }
        return response.body();
    }

    /**
     * Calls a method and decodes its JSON object answer, failing on a non-empty {@code Err} (as Docker's
     * volume, network and IPAM adapters do).
     */
    JsonObject callObject(String method, byte[] body) {
        return callObject(method, body, "Err");
    }

    /**
     * As {@link #callObject(String, byte[])}, with the error in {@code errField}: Docker's IPAM API
     * answers its errors in {@code Error}, every other API in {@code Err}.
     */
    JsonObject callObject(String method, byte[] body, String errField) {
        byte[] raw = call(method, body);
        JsonObject o;
        try {
            o = Json.parseObject(raw, maxResponseBytes);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": the plugin answered invalid JSON: " + e.getMessage(), e);
        }
        String err;
        try {
            err = o.string(errField);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": malformed answer: " + e.getMessage(), e);
        }
        if (!err.isEmpty()) {
            throw new PluginCallException(method, method + ": " + err, null);
        }
        return o;
    }

    /** A string map as a JSON object, keys sorted (as Go marshals maps). */
    static void writeMap(GoJsonWriter w, Map<String, String> map) {
        w.beginObject();
        new TreeMap<>(map).forEach((k, v) -> w.name(k).value(v));
        w.endObject();
    }

    /** A JSON object of strings as a map; absent or null is empty. */
    static Map<String, String> readMap(String method, JsonObject o, String key) {
        try {
            JsonObject m = o.object(key);
            if (m == null) {
                return Map.of();
            }
            Map<String, String> out = new TreeMap<>();
            for (String k : m.keys()) {
                Object v = m.get(k);
                out.put(k, v instanceof String str ? str : String.valueOf(v));
            }
            return Map.copyOf(out);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": malformed " + key + ": " + e.getMessage(), e);
        }
    }

    /** A string field, failing as a malformed answer when it is not a string. */
    static String string(String method, JsonObject o, String key) {
        try {
            return o.string(key);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": malformed " + key + ": " + e.getMessage(), e);
        }
    }

    /** A boolean field (false when absent), failing as a malformed answer when it is not one. */
    static boolean bool(String method, JsonObject o, String key) {
        try {
            return o.bool(key);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": malformed " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code /Plugin.Activate}: the interfaces the plugin implements, e.g. {@code VolumeDriver}.
     *
     * @throws PluginCallException if the call fails
     */
    public List<String> activate() {
        JsonObject o = callObject("Plugin.Activate", new byte[0]);
        List<String> list = o.stringArray("Implements");
        return list == null ? List.of() : list;
    }

    /** The VolumeDriver API of this plugin. */
    public VolumeDriverClient volumeDriver() {
        return new VolumeDriverClient(this);
    }

    /** The NetworkDriver API of this plugin. */
    public NetworkDriverClient networkDriver() {
        return new NetworkDriverClient(this);
    }

    /** The IpamDriver API of this plugin. */
    public IpamDriverClient ipamDriver() {
        return new IpamDriverClient(this);
    }

    /** The authorization ({@code authz}) API of this plugin. */
    public AuthzClient authz() {
        return new AuthzClient(this);
    }

    /** The LogDriver API of this plugin. */
    public LogDriverClient logDriver() {
        return new LogDriverClient(this);
    }

    static byte[] json(java.util.function.Consumer<GoJsonWriter> fields) {
        GoJsonWriter w = new GoJsonWriter().beginObject();
        fields.accept(w);
        return w.endObject().toBytes();
    }

    /** Builds clients; not thread-safe. */
    public static final class Builder {
        private Path socket;
        private PluginTransport transport;
        private Duration timeout = Duration.ofSeconds(30);
        private int maxResponseBytes = 1 << 20;

        private Builder() {
        }

        /** The plugin's socket (required). @return this */
        public Builder socket(Path value) {
            socket = Objects.requireNonNull(value, "socket");
            transport = null;
            return this;
        }

        /**
         * A running plugin: its socket and the transport its calls go through (replaces {@link #socket}).
         *
         * @return this
         */
        public Builder endpoint(RunningPlugin value) {
            Objects.requireNonNull(value, "endpoint");
            socket = value.socket();
            transport = value.transport();
            return this;
        }

        /** The deadline of each call (connect, send, receive); default 30 s. @return this */
        public Builder timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + value);
            }
            timeout = value;
            return this;
        }

        /** The largest response body accepted; default 1 MiB. @return this */
        public Builder maxResponseBytes(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be positive: " + value);
            }
            maxResponseBytes = value;
            return this;
        }

        /**
         * A new client.
         *
         * @throws IllegalStateException if the socket is missing
         */
        public PluginClient build() {
            if (socket == null) {
                throw new IllegalStateException("PluginClient needs socket or endpoint");
            }
            return new PluginClient(this);
        }
    }
}
