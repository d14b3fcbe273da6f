package dev.berth.plugin;

import java.util.ArrayList;
import java.util.List;

/**
 * The user-modifiable settings of an installed plugin: what {@code set} changes and what runs.
 *
 * @param args    the arguments appended to the entrypoint
 * @param devices the devices given to the plugin
 * @param env     {@code NAME=value} strings
 * @param mounts  the mounts given to the plugin
 */
public record PluginSettings(List<String> args, List<PluginDevice> devices, List<String> env,
                             List<PluginMount> mounts) {
    /** No settings. */
    public static final PluginSettings EMPTY = new PluginSettings(List.of(), List.of(), List.of(), List.of());

    /** Copies; every list is non-null (Docker encodes them as {@code []}). */
    public PluginSettings {
        args = List.copyOf(args);
        devices = List.copyOf(devices);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
    }

    /**
     * The settings Docker gives a newly pulled or created plugin: the config's mounts and devices,
     * {@code NAME=value} for each env entry that has a default value, and the default args.
     */
    public static PluginSettings initialFor(PluginConfig config) {
        List<String> env = new ArrayList<>();
        for (PluginEnv e : config.envOrEmpty()) {
            if (e.value() != null) {
                env.add(e.name() + "=" + e.value());
            }
        }
        return new PluginSettings(
                Nulls.orEmpty(config.args().value()),
                config.linux().devicesOrEmpty(),
                env,
                config.mountsOrEmpty());
    }

    /** A copy with other args. */
    public PluginSettings withArgs(List<String> value) {
        return new PluginSettings(value, devices, env, mounts);
    }

    /** A copy with other devices. */
    public PluginSettings withDevices(List<PluginDevice> value) {
        return new PluginSettings(args, value, env, mounts);
    }

    /** A copy with other env. */
    public PluginSettings withEnv(List<String> value) {
        return new PluginSettings(args, devices, value, mounts);
    }

    /** A copy with other mounts. */
    public PluginSettings withMounts(List<PluginMount> value) {
        return new PluginSettings(args, devices, env, value);
    }
}
