package dev.berth.plugin;

import dev.berth.exception.PrivilegesNotGrantedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The privileges a plugin config asks for, computed and compared as Docker does, without Docker's
 * comparison bug.
 */
public final class Privileges {
    private Privileges() {
    }

    /**
     * The privileges a config requires, in Docker's order: network (unless the type is empty or
     * {@code bridge}), host IPC, host PID, one {@code mount} per mount with a non-null source, one
     * {@code device} per device with a non-null path, all devices, and the capabilities as one entry.
     */
    public static List<PluginPrivilege> of(PluginConfig config) {
        Objects.requireNonNull(config, "config");
        List<PluginPrivilege> out = new ArrayList<>();
        String network = config.network().type();
        if (!network.isEmpty() && !network.equals("bridge")) {
            out.add(new PluginPrivilege("network", "permissions to access a network", List.of(network)));
        }
        if (config.ipcHost()) {
            out.add(new PluginPrivilege("host ipc namespace", "allow access to host ipc namespace", List.of("true")));
        }
        if (config.pidHost()) {
            out.add(new PluginPrivilege("host pid namespace", "allow access to host pid namespace", List.of("true")));
        }
        for (PluginMount mount : config.mountsOrEmpty()) {
            if (mount.source() != null) {
                out.add(new PluginPrivilege("mount", "host path to mount", List.of(mount.source())));
            }
        }
        for (PluginDevice device : config.linux().devicesOrEmpty()) {
            if (device.path() != null) {
                out.add(new PluginPrivilege("device", "host device to access", List.of(device.path())));
            }
        }
        if (config.linux().allowAllDevices()) {
            out.add(new PluginPrivilege("allow-all-devices", "allow 'rwm' access to all devices", List.of("true")));
        }
        if (!config.linux().capabilitiesOrEmpty().isEmpty()) {
            out.add(new PluginPrivilege("capabilities", "list of additional capabilities required",
                    config.linux().capabilitiesOrEmpty()));
        }
        return List.copyOf(out);
    }

    /**
     * Whether {@code granted} grants exactly what {@code required} asks: the same entries as a
     * multiset, where an entry is a name with its values in any order; descriptions are ignored.
     *
     * <p>Docker compares the two lists after a sort by name that skips index 0 and sorts values only
     * for moved elements, so a wrong first privilege or two entries that swap values can pass. Berth
     * compares every entry.
     */
    public static boolean matches(List<PluginPrivilege> required, List<PluginPrivilege> granted) {
        if (required.size() != granted.size()) {
            return false;
        }
        Map<Key, Integer> counts = new HashMap<>();
        for (PluginPrivilege p : required) {
            counts.merge(Key.of(p), 1, Integer::sum);
        }
        for (PluginPrivilege p : granted) {
            Integer n = counts.get(Key.of(p));
            if (n == null) {
                return false;
            }
            if (n == 1) {
                counts.remove(Key.of(p));
            } else {
                counts.put(Key.of(p), n - 1);
            }
        }
        return counts.isEmpty();
    }

    /**
     * Checks the grant.
     *
     * @throws PrivilegesNotGrantedException if {@link #matches} is false; the message names both lists
     */
    public static void requireGranted(List<PluginPrivilege> required, List<PluginPrivilege> granted) {
        if (!matches(required, granted)) {
            throw new PrivilegesNotGrantedException(required, granted);
        }
    }

    /** A privilege's identity for comparison: its name and its values as a sorted multiset. */
    private record Key(String name, List<String> sortedValues) {
        static Key of(PluginPrivilege p) {
            List<String> values = new ArrayList<>(p.value());
            values.sort(null);
            return new Key(p.name(), values);
        }
    }
}
