package dev.berth.cli.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Go types {@code docker plugin inspect} executes templates over (the Engine API's
 * {@code types.Plugin} and what it holds, fields in declaration order), a decoder that fills them from
 * the API's JSON as Go's {@code encoding/json} does, and the generic JSON values Docker falls back to.
 */
final class PluginTypes {
    static final GoType INTERFACE_TYPE = GoType.struct("types.PluginInterfaceType")
            .field("Capability", GoType.STRING).field("Prefix", GoType.STRING).field("Version", GoType.STRING);
    static final GoType ENV = GoType.struct("types.PluginEnv").field("Description", GoType.STRING)
            .field("Name", GoType.STRING).field("Settable", GoType.STRINGS).field("Value", GoType.ptr(GoType.STRING));
    static final GoType MOUNT = GoType.struct("types.PluginMount").field("Description", GoType.STRING)
            .field("Destination", GoType.STRING).field("Name", GoType.STRING).field("Options", GoType.STRINGS)
            .field("Settable", GoType.STRINGS).field("Source", GoType.ptr(GoType.STRING)).field("Type", GoType.STRING);
    static final GoType DEVICE = GoType.struct("types.PluginDevice").field("Description", GoType.STRING)
            .field("Name", GoType.STRING).field("Path", GoType.ptr(GoType.STRING)).field("Settable", GoType.STRINGS);
    static final GoType ARGS = GoType.struct("types.PluginConfigArgs").field("Description", GoType.STRING)
            .field("Name", GoType.STRING).field("Settable", GoType.STRINGS).field("Value", GoType.STRINGS);
    static final GoType INTERFACE = GoType.struct("types.PluginConfigInterface")
            .field("ProtocolScheme", "ProtocolScheme", true, GoType.STRING).field("Socket", GoType.STRING)
            .field("Types", GoType.slice(INTERFACE_TYPE));
    static final GoType LINUX = GoType.struct("types.PluginConfigLinux").field("AllowAllDevices", GoType.BOOL)
            .field("Capabilities", GoType.STRINGS).field("Devices", GoType.slice(DEVICE));
    static final GoType NETWORK = GoType.struct("types.PluginConfigNetwork").field("Type", GoType.STRING);
    static final GoType USER = GoType.struct("types.PluginConfigUser").field("GID", "GID", true, GoType.UINT32)
            .field("UID", "UID", true, GoType.UINT32);
    static final GoType ROOTFS = GoType.struct("types.PluginConfigRootfs")
            .field("DiffIds", "diff_ids", false, GoType.STRINGS).field("Type", "type", true, GoType.STRING);
    static final GoType CONFIG = GoType.struct("types.PluginConfig").field("Args", ARGS)
            .field("Description", GoType.STRING).field("DockerVersion", "DockerVersion", true, GoType.STRING)
            .field("Documentation", GoType.STRING).field("Entrypoint", GoType.STRINGS)
            .field("Env", GoType.slice(ENV)).field("Interface", INTERFACE).field("IpcHost", GoType.BOOL)
            .field("Linux", LINUX).field("Mounts", GoType.slice(MOUNT)).field("Network", NETWORK)
            .field("PidHost", GoType.BOOL).field("PropagatedMount", GoType.STRING)
            .field("User", "User", true, USER).field("WorkDir", GoType.STRING)
            .field("Rootfs", "rootfs", true, GoType.ptr(ROOTFS));
    static final GoType SETTINGS = GoType.struct("types.PluginSettings").field("Args", GoType.STRINGS)
            .field("Devices", GoType.slice(DEVICE)).field("Env", GoType.STRINGS).field("Mounts", GoType.slice(MOUNT));
    static final GoType PLUGIN = GoType.struct("types.Plugin").field("Config", CONFIG).field("Enabled", GoType.BOOL)
            .field("ID", "Id", true, GoType.STRING).field("Name", GoType.STRING)
            .field("PluginReference", "PluginReference", true, GoType.STRING).field("Settings", SETTINGS);

    static final GoType RAW_MAP = GoType.map(GoType.ANY);
    static final GoType RAW_LIST = GoType.slice(GoType.ANY);

    static {
        // types.PluginInterfaceType prints and encodes as "prefix.capability/version"
        INTERFACE_TYPE.stringer = v -> v.map().get("Prefix").str() + "." + v.map().get("Capability").str() + "/"
                + v.map().get("Version").str();
        INTERFACE_TYPE.marshal = v -> INTERFACE_TYPE.stringer.apply(v);
        // json.Number.String returns the number's text
        GoType.JSON_NUMBER.stringer = Val::str;
    }

    private PluginTypes() {
    }

    /** The plugin as Go's decoder fills a {@code types.Plugin} from the Engine API's JSON object. */
    static Val plugin(Map<String, Object> json) {
        return decode(PLUGIN, json);
    }

    static Val decode(GoType type, Object json) {
        switch (type.kind) {
            case STRING -> {
                return json instanceof String s ? new Val(type, s) : type.zero();
            }
            case BOOL -> {
                return json instanceof Boolean b ? new Val(type, b) : type.zero();
            }
            case UINT, INT -> {
                return json instanceof BigDecimal d ? new Val(type, d.longValue()) : type.zero();
            }
            case SLICE -> {
                if (!(json instanceof List<?> l)) {
                    return type.zero();
                }
                List<Val> out = new ArrayList<>();
                l.forEach(e -> out.add(decode(type.elem, e)));
                return new Val(type, out);
            }
            case PTR -> {
                return json == null ? type.zero() : new Val(type, decode(type.elem, json));
            }
            case STRUCT -> {
                if (type == INTERFACE_TYPE) {
                    return interfaceType(json instanceof String s ? s : "");
                }
                Val v = type.zero();
                if (json instanceof Map<?, ?> m) {
                    for (GoType.Field f : type.fields.values()) {
                        Object value = lookup(m, f.json());
                        if (value != MISSING) {
                            v.map().put(f.name(), decode(f.type(), value));
                        }
                    }
                }
                return v;
            }
            default -> {
                return raw(json);
            }
        }
    }

    private static final Object MISSING = new Object();

    /** Go's decoder matches a key exactly first, then without regard to case. */
    private static Object lookup(Map<?, ?> m, String key) {
        if (m.containsKey(key)) {
            return m.get(key);
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (key.equalsIgnoreCase((String) e.getKey())) {
                return e.getValue();
            }
        }
        return MISSING;
    }

    private static Val interfaceType(String s) {
        Map<String, Val> m = new LinkedHashMap<>();
        int slash = s.indexOf('/');
        int dot = s.indexOf('.');
        m.put("Capability", Val.of(dot >= 0 && slash > dot ? s.substring(dot + 1, slash) : ""));
        m.put("Prefix", Val.of(dot >= 0 ? s.substring(0, dot) : ""));
        m.put("Version", Val.of(slash >= 0 ? s.substring(slash + 1) : ""));
        return new Val(INTERFACE_TYPE, m);
    }

    /**
     * A JSON value as Go decodes it into {@code interface{}} with {@code UseNumber}: maps, slices,
     * strings, bools and {@code json.Number}, each element held in an interface.
     */
    static Val raw(Object json) {
        if (json == null) {
            return null;
        }
        if (json instanceof Map<?, ?> m) {
            Map<String, Val> out = new TreeMap<>();
            m.forEach((k, v) -> out.put((String) k, new Val(GoType.ANY, raw(v))));
            return new Val(RAW_MAP, out);
        }
        if (json instanceof List<?> l) {
            List<Val> out = new ArrayList<>();
            l.forEach(v -> out.add(new Val(GoType.ANY, raw(v))));
            return new Val(RAW_LIST, out);
        }
        if (json instanceof BigDecimal d) {
            return new Val(GoType.JSON_NUMBER, d.toString());
        }
        if (json instanceof Boolean b) {
            return Val.of(b);
        }
        return Val.of((String) json);
    }
}
