package dev.berth.plugin;

import java.util.List;

/**
 * The Linux-specific part of a plugin config.
 *
 * @param allowAllDevices whether the plugin asks for access to every device
 * @param capabilities    additional kernel capabilities, e.g. {@code CAP_SYS_ADMIN}; nullable
 * @param devices         host devices the plugin asks for; nullable
 */
public record PluginLinux(boolean allowAllDevices, List<String> capabilities, List<PluginDevice> devices) {
    /** No capabilities, no devices. */
    public static final PluginLinux EMPTY = new PluginLinux(false, null, null);

    /** Copies. */
    public PluginLinux {
        capabilities = Nulls.copy(capabilities);
        devices = Nulls.copy(devices);
    }

    /** The devices, empty when the config had none. */
    public List<PluginDevice> devicesOrEmpty() {
        return Nulls.orEmpty(devices);
    }

    /** The capabilities, empty when the config had none. */
    public List<String> capabilitiesOrEmpty() {
        return Nulls.orEmpty(capabilities);
    }
}
