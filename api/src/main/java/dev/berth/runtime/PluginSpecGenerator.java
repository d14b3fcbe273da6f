package dev.berth.runtime;

import dev.berth.exception.InvalidParameterException;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Generates a plugin's OCI runtime spec from its config, its settings and the host paths, as dockerd
 * 20.10 does ({@code plugin/v2/plugin_linux.go InitSpec} on top of {@code oci.DefaultSpec}), with
 * Docker's bugs fixed:
 * <ul>
 *   <li>the plugin's mounts come from its <em>settings</em>, so {@code set} of a mount source changes
 *       what runs (Docker reads the config's mounts and only sees a set through an aliasing accident);
 *   <li>a plugin mount at a {@code /dev/...} destination replaces exactly the default mount there
 *       (Docker removes entries while iterating and can drop the wrong one);
 *   <li>requested capabilities already in a set are not added twice;
 *   <li>a device without a path is an error instead of a crash.
 * </ul>
 * A pure function apart from the {@link DeviceResolver}; stateless and thread-safe.
 */
public final class PluginSpecGenerator {
    /** Where a plugin finds its socket directory, and so creates its socket. */
    public static final String PLUGIN_SOCKET_DIR = "/run/docker/plugins";
    /** The {@code PATH} every plugin process starts with. */
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Docker's default capabilities, in its order. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    private static final List<RuntimeSpec.Mount> DEFAULT_MOUNTS = List.of(
            new RuntimeSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
            new RuntimeSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
            new RuntimeSpec.Mount("/dev/pts", "devpts", "devpts",
                    List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
            new RuntimeSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
            new RuntimeSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
            new RuntimeSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
            new RuntimeSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777")));

    private static final List<RuntimeSpec.DeviceRule> DEFAULT_DEVICE_RULES = List.of(
            new RuntimeSpec.DeviceRule(false, "", OptionalLong.empty(), OptionalLong.empty(), "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 1, 5, "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 1, 3, "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 1, 9, "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 1, 8, "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 5, 0, "rwm"),
            RuntimeSpec.DeviceRule.of(true, "c", 5, 1, "rwm"),
            RuntimeSpec.DeviceRule.of(false, "c", 10, 229, "rwm"));

    private static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware");
    private static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private PluginSpecGenerator() {
    }

    /** {@link #generate(PluginConfig, PluginSettings, SpecPaths, DeviceResolver)} for a plugin without devices. */
    public static RuntimeSpec generate(PluginConfig config, PluginSettings settings, SpecPaths paths) {
        return generate(config, settings, paths, DeviceResolver.none());
    }

    /**
     * The runtime spec a plugin runs with.
     *
     * @param config   the plugin's config
     * @param settings the plugin's settings (env, args, mounts and devices as set by the user)
     * @param paths    the host paths
     * @param devices  finds the device nodes of {@code settings.devices()}
     * @throws InvalidParameterException if a mount has no source, a device has no path or no node, or
     *                                   the entrypoint and args are empty
     */
    public static RuntimeSpec generate(PluginConfig config, PluginSettings settings, SpecPaths paths,
                                       DeviceResolver devices) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(devices, "devices");

        List<String> namespaces = new ArrayList<>(List.of("mount", "network", "uts", "pid", "ipc"));
        String rootfsPropagation = "";
        List<RuntimeSpec.Mount> pluginMounts = new ArrayList<>();
        if (!config.propagatedMount().isEmpty()) {
            pluginMounts.add(new RuntimeSpec.Mount(config.propagatedMount(), "bind",
                    paths.propagatedMount().toString(), List.of("rbind", "rw", "rshared")));
            rootfsPropagation = "rshared";
        }
        for (PluginMount m : settings.mounts()) {
            if (m.source() == null) {
                throw new InvalidParameterException("mount source is not specified: mount \"" + m.name()
                        + "\" at " + m.destination());
            }
            pluginMounts.add(new RuntimeSpec.Mount(m.destination(), m.type(), m.source(),
                    m.options() == null ? List.of() : m.options()));
        }
        pluginMounts.add(new RuntimeSpec.Mount(PLUGIN_SOCKET_DIR, "bind", paths.execDir().toString(),
                List.of("rbind", "rshared")));
        String network = config.network().type();
        if (!network.isEmpty()) {
            if (network.equals("host")) {
                namespaces.remove("network");
            }
            // Docker gives any plugin with a network type the host's name resolution, read-only.
            pluginMounts.add(new RuntimeSpec.Mount("/etc/hosts", "bind", "/etc/hosts", List.of("rbind", "ro")));
            pluginMounts.add(new RuntimeSpec.Mount("/etc/resolv.conf", "bind", "/etc/resolv.conf",
                    List.of("rbind", "ro")));
        }
        if (config.pidHost()) {
            namespaces.remove("pid");
        }
        if (config.ipcHost()) {
            namespaces.remove("ipc");
        }

        // A plugin mount at a /dev/... destination replaces the default mount there (moby#36698).
        Set<String> overridden = new HashSet<>();
        for (PluginMount m : settings.mounts()) {
            if (m.destination().startsWith("/dev/")) {
                overridden.add(m.destination());
            }
        }
        List<RuntimeSpec.Mount> mounts = new ArrayList<>();
        for (RuntimeSpec.Mount m : DEFAULT_MOUNTS) {
            if (!overridden.contains(m.destination())) {
                mounts.add(m);
            }
        }
        mounts.addAll(pluginMounts);

        List<RuntimeSpec.DeviceRule> rules = new ArrayList<>(DEFAULT_DEVICE_RULES);
        if (config.linux().allowAllDevices()) {
            rules = new ArrayList<>(List.of(
                    new RuntimeSpec.DeviceRule(true, "", OptionalLong.empty(), OptionalLong.empty(), "rwm")));
        }
        List<RuntimeSpec.Device> nodes = new ArrayList<>();
        for (PluginDevice d : settings.devices()) {
            if (d.path() == null) {
                throw new InvalidParameterException("device \"" + d.name() + "\" has no path");
            }
            for (RuntimeSpec.Device node : devices.resolve(d.path())) {
                nodes.add(node);
                rules.add(RuntimeSpec.DeviceRule.of(true, node.type(), node.major(), node.minor(), "rwm"));
            }
        }

        List<String> env = new ArrayList<>();
        env.add(DEFAULT_PATH);
        env.addAll(settings.env());
        List<String> args = new ArrayList<>(config.entrypointOrEmpty());
        args.addAll(settings.args());
        if (args.isEmpty()) {
            throw new InvalidParameterException("plugin has no entrypoint and no args: nothing to run");
        }
        String cwd = config.workDir().isEmpty() ? "/" : config.workDir();

        List<String> requested = config.linux().capabilitiesOrEmpty();
        RuntimeSpec.Capabilities caps = new RuntimeSpec.Capabilities(
                union(DEFAULT_CAPABILITIES, requested), union(DEFAULT_CAPABILITIES, requested),
                union(List.of(), requested), union(DEFAULT_CAPABILITIES, requested));

        return new RuntimeSpec(args, env, cwd, caps, paths.rootfs().toString(), mounts, rules, namespaces, nodes,
                rootfsPropagation, MASKED_PATHS, READONLY_PATHS);
    }

    private static List<String> union(List<String> base, List<String> extra) {
        List<String> out = new ArrayList<>(base);
        for (String c : extra) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
