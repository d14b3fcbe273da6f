package dev.berth.core.internal.manager;

import dev.berth.exception.InvalidParameterException;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginLinux;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code docker plugin set}: the {@code name[.field][=value]} grammar, the settable rules, and their
 * application to a plugin's config and settings (spec §5).
 *
 * <p>Unlike Docker, a mount source or device path set here changes both the config and the settings,
 * so what runs after a restart is what was set; and all arguments are checked before any is applied,
 * so a failing list changes nothing.
 */
public final class Settings {
    private static final String ENV_FIELD = "value";
    private static final String ARGS_FIELD = "value";
    private static final String MOUNT_FIELD = "source";
    private static final String DEVICE_FIELD = "path";

    private Settings() {
    }

    /**
     * One parsed argument.
     *
     * @param name  the declaration's name
     * @param field the field, if one was given ({@code name.field=value})
     * @param value the value ({@code ""} when no {@code =} was given)
     */
    public record Setting(String name, Optional<String> field, String value) {
        /** {@code name} or {@code name.field}, for messages. */
        String key() {
            return field.map(f -> name + "." + f).orElse(name);
        }
    }

    /**
     * Parses one argument: the key is before the first {@code =}, the field after the key's last
     * {@code .} when that dot is not the first character.
     *
     * @throws InvalidParameterException {@code invalid format, must be <name>[.<field>][=<value>]}
     */
    public static Setting parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq == 0) {
            throw new InvalidParameterException("invalid format, must be <name>[.<field>][=<value>]: \"" + arg + "\"");
        }
        String key = eq < 0 ? arg : arg.substring(0, eq);
        String value = eq < 0 ? "" : arg.substring(eq + 1);
        int dot = key.lastIndexOf('.');
        if (dot > 0) {
            return new Setting(key.substring(0, dot), Optional.of(key.substring(dot + 1)), value);
        }
        return new Setting(key, Optional.empty(), value);
    }

    /**
     * Docker's settable rule: without a field, a single declared settable field is implied; the field
     * must be both allowed for the kind and declared settable.
     *
     * @throws InvalidParameterException {@code multiple fields are settable, one must be specified}
     */
    static boolean isSettable(Setting s, String allowedField, List<String> declared) {
        List<String> settable = declared == null ? List.of() : declared;
        String field;
        if (s.field().isPresent()) {
            field = s.field().get();
        } else if (settable.size() == 1) {
            field = settable.get(0);
        } else if (settable.size() > 1) {
            throw new InvalidParameterException("multiple fields are settable, one must be specified");
        } else {
            field = "";
        }
        return field.equals(allowedField) && settable.contains(field);
    }

    /** A config and its settings, changed together. */
    public record Applied(PluginConfig config, PluginSettings settings) {
    }

    /**
     * Applies every argument in order and returns the new config and settings; nothing is changed
     * when any argument fails.
     *
     * @throws InvalidParameterException for a malformed argument, an unknown name, a field that is not
     *                                   settable, or a mount/device without a source/path
     */
    public static Applied apply(PluginConfig config, PluginSettings settings, List<String> args) {
        List<Setting> parsed = args.stream().map(Settings::parse).toList();
        PluginConfig c = config;
        PluginSettings s = settings;
        for (Setting setting : parsed) {
            Applied next = applyOne(c, s, setting);
            c = next.config();
            s = next.settings();
        }
        return new Applied(c, s);
    }

    private static Applied applyOne(PluginConfig c, PluginSettings s, Setting setting) {
        for (PluginEnv env : c.envOrEmpty()) {
            if (env.name().equals(setting.name())) {
                requireSettable(setting, ENV_FIELD, env.settable());
                return new Applied(c, s.withEnv(updateEnv(s.env(), setting.name(), setting.value())));
            }
        }
        List<PluginMount> mounts = c.mountsOrEmpty();
        for (int i = 0; i < mounts.size(); i++) {
            PluginMount m = mounts.get(i);
            if (m.name().equals(setting.name())) {
                requireSettable(setting, MOUNT_FIELD, m.settable());
                if (m.source() == null) {
                    throw new InvalidParameterException("Plugin config has no mount source");
                }
                List<PluginMount> newConfig = replace(mounts, i, m.withSource(setting.value()));
                List<PluginMount> newSettings = new ArrayList<>(s.mounts());
                replaceByName(newSettings, m.name(), x -> x.name(), x -> x.withSource(setting.value()));
                return new Applied(c.toBuilder().mounts(newConfig).build(), s.withMounts(newSettings));
            }
        }
        List<PluginDevice> devices = c.linux().devicesOrEmpty();
        for (int i = 0; i < devices.size(); i++) {
            PluginDevice d = devices.get(i);
            if (d.name().equals(setting.name())) {
                requireSettable(setting, DEVICE_FIELD, d.settable());
                if (d.path() == null) {
                    throw new InvalidParameterException("Plugin config has no device path");
                }
                List<PluginDevice> newConfig = replace(devices, i, d.withPath(setting.value()));
                List<PluginDevice> newSettings = new ArrayList<>(s.devices());
                replaceByName(newSettings, d.name(), x -> x.name(), x -> x.withPath(setting.value()));
                PluginLinux linux = new PluginLinux(c.linux().allowAllDevices(), c.linux().capabilities(), newConfig);
                return new Applied(c.toBuilder().linux(linux).build(), s.withDevices(newSettings));
            }
        }
        if (c.args().name().equals(setting.name())) {
            requireSettable(setting, ARGS_FIELD, c.args().settable());
            // Docker splits on single spaces: "a  b" gives ["a", "", "b"].
            return new Applied(c, s.withArgs(Arrays.asList(setting.value().split(" ", -1))));
        }
        throw new InvalidParameterException("setting \"" + setting.name() + "\" not found in the plugin configuration");
    }

    private static void requireSettable(Setting s, String allowedField, List<String> declared) {
        if (!isSettable(s, allowedField, declared)) {
            throw new InvalidParameterException("\"" + s.key() + "\" is not settable");
        }
    }

    /**
     * The settings an upgraded plugin keeps: for every env variable, mount, device and args block the
     * new config still declares <em>as settable</em>, the old value; for everything else the new
     * config's default. Docker keeps the old settings whole, so a device or mount the new version no
     * longer declares (and whose privilege was never shown) stayed granted; Berth drops it.
     */
    public static PluginSettings carryOver(PluginSettings old, PluginConfig next) {
        PluginSettings fresh = PluginSettings.initialFor(next);
        List<String> env = new ArrayList<>();
        for (PluginEnv e : next.envOrEmpty()) {
            Optional<String> kept = old.env().stream().filter(v -> v.startsWith(e.name() + "=")).findFirst();
            if (kept.isPresent() && e.settable() != null && e.settable().contains(ENV_FIELD)) {
                env.add(kept.get());
            } else if (e.value() != null) {
                env.add(e.name() + "=" + e.value());
            }
        }
        List<PluginMount> mounts = new ArrayList<>();
        for (PluginMount m : fresh.mounts()) {
            Optional<PluginMount> kept = old.mounts().stream().filter(x -> x.name().equals(m.name())).findFirst();
            boolean settable = m.settable() != null && m.settable().contains(MOUNT_FIELD);
            mounts.add(kept.isPresent() && settable && m.source() != null ? m.withSource(kept.get().source()) : m);
        }
        List<PluginDevice> devices = new ArrayList<>();
        for (PluginDevice d : fresh.devices()) {
            Optional<PluginDevice> kept = old.devices().stream().filter(x -> x.name().equals(d.name())).findFirst();
            boolean settable = d.settable() != null && d.settable().contains(DEVICE_FIELD);
            devices.add(kept.isPresent() && settable && d.path() != null ? d.withPath(kept.get().path()) : d);
        }
        boolean argsSettable = next.args().settable() != null && next.args().settable().contains(ARGS_FIELD);
        List<String> args = argsSettable ? old.args() : fresh.args();
        return new PluginSettings(args, devices, env, mounts);
    }

    /** Replaces the first {@code NAME=...} entry in place, or appends {@code NAME=value}. */
    static List<String> updateEnv(List<String> env, String name, String value) {
        List<String> out = new ArrayList<>(env);
        for (int i = 0; i < out.size(); i++) {
            String entry = out.get(i);
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry : entry.substring(0, eq);
            if (key.equals(name)) {
                out.set(i, name + "=" + value);
                return out;
            }
        }
        out.add(name + "=" + value);
        return out;
    }

    private static <T> List<T> replace(List<T> list, int index, T value) {
        List<T> out = new ArrayList<>(list);
        out.set(index, value);
        return out;
    }

    private static <T> void replaceByName(List<T> list, String name, java.util.function.Function<T, String> nameOf,
                                          java.util.function.UnaryOperator<T> change) {
        for (int i = 0; i < list.size(); i++) {
            if (nameOf.apply(list.get(i)).equals(name)) {
                list.set(i, change.apply(list.get(i)));
                return;
            }
        }
    }
}
