package dev.berth.internal.json;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.oci.Digest;
import dev.berth.plugin.Capability;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginArgs;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginInterface;
import dev.berth.plugin.PluginLinux;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginNetwork;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginRootfs;
import dev.berth.plugin.PluginSettings;
import dev.berth.plugin.PluginUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Maps Docker's plugin JSON to Berth's records and back. Decoding is Go's (case-insensitive keys,
 * unknown keys ignored, null is the zero value) with duplicate keys rejected; encoding reproduces the
 * bytes dockerd writes, field for field. Stateless and thread-safe.
 */
public final class PluginJson {
    private PluginJson() {
    }

    // ---- decoding -------------------------------------------------------------------------

    /**
     * Decodes a plugin config blob.
     *
     * @throws JsonException if it is not one JSON object of the right shape, or larger than 1 MiB
     */
    public static PluginConfig decodeConfig(byte[] bytes) {
        return config(Json.parseObject(bytes));
    }

    /** Decodes a plugin object ({@code docker plugin inspect} element). */
    public static Plugin decodePlugin(byte[] bytes) {
        return plugin(Json.parseObject(bytes));
    }

    /** Decodes an on-disk record {@code <root>/<id>/config.json}. */
    public static PluginRecord decodeRecord(byte[] bytes) {
        JsonObject o = Json.parseObject(bytes, 4 * Json.DEFAULT_MAX_BYTES);
        JsonObject plugin = o.object("plugin");
        if (plugin == null) {
            throw new JsonException("plugin record has no \"plugin\" object");
        }
        return new PluginRecord(
                plugin(plugin),
                o.string("Rootfs"),
                optionalDigest(o.string("Config"), "Config"),
                list(o.array("Blobsums"), "Blobsums", v -> digest(asString(v, "Blobsums[]"), "Blobsums[]")),
                optionalDigest(o.string("Manifest"), "Manifest"),
                o.string("SwarmServiceID"));
    }

    /** Decodes a privileges list as the Engine API exchanges it; {@code null} decodes to empty. */
    public static List<PluginPrivilege> decodePrivileges(byte[] bytes) {
        Object v = Json.parse(bytes);
        if (v == Json.NULL) {
            return List.of();
        }
        if (!(v instanceof List<?> items)) {
            throw new JsonException("expected a JSON array of privileges, got " + Json.typeName(v));
        }
        List<PluginPrivilege> out = new ArrayList<>();
        for (Object item : items) {
            JsonObject p = asObject(item, "privilege");
            out.add(new PluginPrivilege(p.string("Name"), p.string("Description"), orEmpty(p.stringArray("Value"))));
        }
        return List.copyOf(out);
    }

    static PluginConfig config(JsonObject o) {
        PluginConfig.Builder b = PluginConfig.builder()
                .args(args(o.object("Args")))
                .description(o.string("Description"))
                .dockerVersion(o.string("DockerVersion"))
                .documentation(o.string("Documentation"))
                .entrypoint(o.stringArray("Entrypoint"))
                .env(list(o.array("Env"), "Env", v -> env(asObject(v, "Env[]"))))
                .pluginInterface(pluginInterface(o.object("Interface")))
                .ipcHost(o.bool("IpcHost"))
                .linux(linux(o.object("Linux")))
                .mounts(list(o.array("Mounts"), "Mounts", v -> mount(asObject(v, "Mounts[]"))))
                .network(new PluginNetwork(o.object("Network") == null ? "" : o.object("Network").string("Type")))
                .pidHost(o.bool("PidHost"))
                .propagatedMount(o.string("PropagatedMount"))
                .user(user(o.object("User")))
                .workDir(o.string("WorkDir"));
        JsonObject rootfs = o.object("rootfs");
        if (rootfs != null) {
            b.rootfs(new PluginRootfs(rootfs.stringArray("diff_ids"), rootfs.string("type")));
        }
        return b.build();
    }

    private static PluginArgs args(JsonObject o) {
        if (o == null) {
            return PluginArgs.EMPTY;
        }
        return new PluginArgs(o.string("Description"), o.string("Name"), o.stringArray("Settable"),
                o.stringArray("Value"));
    }

    private static PluginEnv env(JsonObject o) {
        return new PluginEnv(o.string("Description"), o.string("Name"), o.stringArray("Settable"),
                o.nullableString("Value"));
    }

    private static PluginInterface pluginInterface(JsonObject o) {
        if (o == null) {
            return PluginInterface.EMPTY;
        }
        List<Capability> types = list(o.array("Types"), "Types", v -> {
            if (v instanceof String s && !s.isEmpty()) {
                // Capability.parse refuses "" with an InvalidInputException, which would escape this
                // method's contract (a JsonException for a config of the wrong shape; JsonCodecsFuzzTest)
                return Capability.parse(s);
            }
            throw new JsonException("\"" + v + "\" is not a plugin interface type");
        });
        return new PluginInterface(o.string("ProtocolScheme"), o.string("Socket"), types);
    }

    private static PluginLinux linux(JsonObject o) {
        if (o == null) {
            return PluginLinux.EMPTY;
        }
        return new PluginLinux(o.bool("AllowAllDevices"), o.stringArray("Capabilities"),
                list(o.array("Devices"), "Devices", v -> device(asObject(v, "Devices[]"))));
    }

    private static PluginMount mount(JsonObject o) {
        return new PluginMount(o.string("Description"), o.string("Destination"), o.string("Name"),
                o.stringArray("Options"), o.stringArray("Settable"), o.nullableString("Source"), o.string("Type"));
    }

    private static PluginDevice device(JsonObject o) {
        return new PluginDevice(o.string("Description"), o.string("Name"), o.nullableString("Path"),
                o.stringArray("Settable"));
    }

    private static PluginUser user(JsonObject o) {
        if (o == null) {
            return PluginUser.EMPTY;
        }
        return new PluginUser(o.integer("UID", 0, 0xFFFF_FFFFL), o.integer("GID", 0, 0xFFFF_FFFFL));
    }

    static Plugin plugin(JsonObject o) {
        JsonObject config = o.object("Config");
        String id = o.string("Id");
        if (!id.isEmpty() && !Plugin.isId(id)) {
            throw new JsonException("plugin \"Id\" is not 64 lower-case hex characters: \"" + id + "\"");
        }
        return new Plugin(id, o.string("Name"), o.bool("Enabled"), o.string("PluginReference"),
                config == null ? PluginConfig.EMPTY : config(config), settings(o.object("Settings")));
    }

    private static PluginSettings settings(JsonObject o) {
        if (o == null) {
            return PluginSettings.EMPTY;
        }
        return new PluginSettings(
                orEmpty(o.stringArray("Args")),
                orEmpty(list(o.array("Devices"), "Devices", v -> device(asObject(v, "Settings.Devices[]")))),
                orEmpty(o.stringArray("Env")),
                orEmpty(list(o.array("Mounts"), "Mounts", v -> mount(asObject(v, "Settings.Mounts[]")))));
    }

    private static <T> List<T> list(List<Object> raw, String field, Function<Object, T> element) {
        if (raw == null) {
            return null;
        }
        List<T> out = new ArrayList<>(raw.size());
        for (Object v : raw) {
            if (v == Json.NULL) {
                throw new JsonException("field \"" + field + "\": null element");
            }
            out.add(element.apply(v));
        }
        return out;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static JsonObject asObject(Object v, String field) {
        if (v instanceof JsonObject o) {
            return o;
        }
        throw JsonObject.typeError(field, "object", v);
    }

    private static String asString(Object v, String field) {
        if (v instanceof String s) {
            return s;
        }
        throw JsonObject.typeError(field, "string", v);
    }

    private static Digest digest(String s, String field) {
        try {
            return Digest.parse(s);
        } catch (IllegalArgumentException e) {
            throw new JsonException("field \"" + field + "\": " + e.getMessage(), e);
        }
    }

    private static Optional<Digest> optionalDigest(String s, String field) {
        return s.isEmpty() ? Optional.empty() : Optional.of(digest(s, field));
    }

    // ---- encoding -------------------------------------------------------------------------

    /**
     * The config blob's bytes as {@code docker plugin create} writes them: compact, Go's field order,
     * ending with one newline (Docker's streaming encoder adds it, and the digest covers it).
     */
    public static byte[] encodeConfigBlob(PluginConfig config) {
        GoJsonWriter w = new GoJsonWriter();
        writeConfig(w, config);
        return (w + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The compact encoding of a config, without a trailing newline. */
    public static String encodeConfig(PluginConfig config) {
        GoJsonWriter w = new GoJsonWriter();
        writeConfig(w, config);
        return w.toString();
    }

    /** The compact encoding of a plugin object, as the Engine API returns it. */
    public static String encodePlugin(Plugin plugin) {
        GoJsonWriter w = new GoJsonWriter();
        writePlugin(w, plugin);
        return w.toString();
    }

    /** The compact encoding of a list of plugin objects. */
    public static String encodePlugins(List<Plugin> plugins) {
        GoJsonWriter w = new GoJsonWriter();
        w.array(plugins, PluginJson::writePlugin);
        return w.toString();
    }

    /** The on-disk record's bytes, as dockerd writes {@code <root>/<id>/config.json} (no newline). */
    public static byte[] encodeRecord(PluginRecord record) {
        GoJsonWriter w = new GoJsonWriter();
        w.beginObject();
        w.name("plugin");
        writePlugin(w, record.plugin());
        w.name("Rootfs").value(record.rootfs());
        w.name("Config").value(record.config().map(Digest::toString).orElse(""));
        w.name("Blobsums").array(record.blobsums(), (ww, d) -> ww.value(d.toString()));
        w.name("Manifest").value(record.manifest().map(Digest::toString).orElse(""));
        w.name("SwarmServiceID").value(record.swarmServiceId());
        w.endObject();
        return w.toBytes();
    }

    /** A privileges list as the Engine API encodes it. */
    public static String encodePrivileges(List<PluginPrivilege> privileges) {
        GoJsonWriter w = new GoJsonWriter();
        w.array(privileges, (ww, p) -> {
            ww.beginObject();
            ww.name("Name").value(p.name());
            ww.name("Description").value(p.description());
            ww.name("Value").stringArray(p.value());
            ww.endObject();
        });
        return w.toString();
    }

    static void writePlugin(GoJsonWriter w, Plugin p) {
        w.beginObject();
        w.name("Config");
        writeConfig(w, p.config());
        w.name("Enabled").value(p.enabled());
        if (!p.id().isEmpty()) {
            w.name("Id").value(p.id());
        }
        w.name("Name").value(p.name());
        if (!p.pluginReference().isEmpty()) {
            w.name("PluginReference").value(p.pluginReference());
        }
        PluginSettings s = p.settings();
        w.name("Settings").beginObject();
        w.name("Args").stringArray(s.args());
        w.name("Devices").array(s.devices(), PluginJson::writeDevice);
        w.name("Env").stringArray(s.env());
        w.name("Mounts").array(s.mounts(), PluginJson::writeMount);
        w.endObject();
        w.endObject();
    }

    static void writeConfig(GoJsonWriter w, PluginConfig c) {
        w.beginObject();
        PluginArgs a = c.args();
        w.name("Args").beginObject();
        w.name("Description").value(a.description());
        w.name("Name").value(a.name());
        w.name("Settable").stringArray(a.settable());
        w.name("Value").stringArray(a.value());
        w.endObject();
        w.name("Description").value(c.description());
        if (!c.dockerVersion().isEmpty()) {
            w.name("DockerVersion").value(c.dockerVersion());
        }
        w.name("Documentation").value(c.documentation());
        w.name("Entrypoint").stringArray(c.entrypoint());
        w.name("Env").array(c.env(), (ww, e) -> {
            ww.beginObject();
            ww.name("Description").value(e.description());
            ww.name("Name").value(e.name());
            ww.name("Settable").stringArray(e.settable());
            ww.name("Value").value(e.value());
            ww.endObject();
        });
        PluginInterface i = c.pluginInterface();
        w.name("Interface").beginObject();
        if (!i.protocolScheme().isEmpty()) {
            w.name("ProtocolScheme").value(i.protocolScheme());
        }
        w.name("Socket").value(i.socket());
        w.name("Types").array(i.types(), (ww, t) -> ww.value(t.toString()));
        w.endObject();
        w.name("IpcHost").value(c.ipcHost());
        PluginLinux l = c.linux();
        w.name("Linux").beginObject();
        w.name("AllowAllDevices").value(l.allowAllDevices());
        w.name("Capabilities").stringArray(l.capabilities());
        w.name("Devices").array(l.devices(), PluginJson::writeDevice);
        w.endObject();
        w.name("Mounts").array(c.mounts(), PluginJson::writeMount);
        w.name("Network").beginObject().name("Type").value(c.network().type()).endObject();
        w.name("PidHost").value(c.pidHost());
        w.name("PropagatedMount").value(c.propagatedMount());
        // Go's field order in PluginConfigUser: GID before UID
        w.name("User").beginObject();
        if (c.user().gid() != 0) {
            w.name("GID").value(c.user().gid());
        }
        if (c.user().uid() != 0) {
            w.name("UID").value(c.user().uid());
        }
        w.endObject();
        w.name("WorkDir").value(c.workDir());
        c.rootfs().ifPresent(r -> {
            w.name("rootfs").beginObject();
            w.name("diff_ids").stringArray(r.diffIds());
            if (!r.type().isEmpty()) {
                w.name("type").value(r.type());
            }
            w.endObject();
        });
        w.endObject();
    }

    private static void writeMount(GoJsonWriter w, PluginMount m) {
        w.beginObject();
        w.name("Description").value(m.description());
        w.name("Destination").value(m.destination());
        w.name("Name").value(m.name());
        w.name("Options").stringArray(m.options());
        w.name("Settable").stringArray(m.settable());
        w.name("Source").value(m.source());
        w.name("Type").value(m.type());
        w.endObject();
    }

    private static void writeDevice(GoJsonWriter w, PluginDevice d) {
        w.beginObject();
        w.name("Description").value(d.description());
        w.name("Name").value(d.name());
        w.name("Path").value(d.path());
        w.name("Settable").stringArray(d.settable());
        w.endObject();
    }
}
