package dev.berth.core.internal.manager;

import dev.berth.exception.InvalidParameterException;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginDevice;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginMount;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a plugin config when it is installed or created, not first when it is enabled (Docker's
 * {@code validateConfig} is an empty TODO). Everything a runtime would refuse late, or that would make
 * the host do something the privileges prompt did not show, is refused here with one message naming
 * every problem. Unknown capability types are accepted and inert: the host simply never asks for them.
 */
public final class ConfigValidator {
    private static final Set<String> NETWORKS = Set.of("", "bridge", "host", "none");
    private static final Set<String> FORBIDDEN_MOUNT_TYPES = Set.of("proc", "sysfs", "devpts", "cgroup", "cgroup2",
            "mqueue", "securityfs", "debugfs");
    private static final Set<String> FORBIDDEN_MOUNT_OPTIONS = Set.of("suid", "dev");
    /** Every Linux capability the kernel and runc know; "ALL" is deliberately absent. */
    private static final Set<String> CAPABILITIES = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private ConfigValidator() {
    }

    /**
     * Validates a config.
     *
     * @param layers the number of layers in the plugin's manifest, checked against {@code rootfs.diff_ids}
     * @throws InvalidParameterException {@code invalid plugin config: <problem>; <problem>...}
     */
    public static void validate(PluginConfig c, int layers) {
        List<String> problems = new ArrayList<>();
        String socket = c.pluginInterface().socket();
        if (socket.isEmpty() || socket.equals(".") || socket.equals("..") || socket.contains("/")
                || socket.indexOf('\0') >= 0) {
            problems.add("interface socket must be one plain file name, not \"" + socket + "\"");
        }
        if (c.entrypointOrEmpty().isEmpty() || c.entrypointOrEmpty().get(0).isEmpty()) {
            problems.add("entrypoint is empty");
        }
        if (!c.workDir().isEmpty()) {
            checkAbsolute("workdir", c.workDir(), problems);
            if (c.workDir().startsWith("/proc")) {
                problems.add("workdir must not be under /proc: \"" + c.workDir() + "\"");
            }
        }
        if (!NETWORKS.contains(c.network().type())) {
            problems.add("network type must be one of \"\", bridge, host, none, not \"" + c.network().type() + "\"");
        }
        if (!c.propagatedMount().isEmpty()) {
            checkAbsolute("propagatedMount", c.propagatedMount(), problems);
            if (c.propagatedMount().equals("/")) {
                problems.add("propagatedMount must not be /");
            }
        }
        Set<String> destinations = new HashSet<>();
        for (PluginMount m : c.mountsOrEmpty()) {
            String what = "mount \"" + m.name() + "\"";
            checkAbsolute(what + " destination", m.destination(), problems);
            if (m.destination().equals("/") || underAny(m.destination(), "/proc", "/sys")) {
                problems.add(what + " must not cover \"" + m.destination() + "\"");
            }
            if (!destinations.add(m.destination())) {
                problems.add(what + " repeats destination \"" + m.destination() + "\"");
            }
            if (FORBIDDEN_MOUNT_TYPES.contains(m.type())) {
                problems.add(what + " has a forbidden type \"" + m.type() + "\"");
            }
            for (String o : m.options() == null ? List.<String>of() : m.options()) {
                if (FORBIDDEN_MOUNT_OPTIONS.contains(o)) {
                    problems.add(what + " has a forbidden option \"" + o + "\"");
                }
            }
            if (m.source() != null && !m.source().isEmpty() && !m.source().startsWith("/")
                    && !m.type().equals("tmpfs")) {
                problems.add(what + " source must be an absolute host path: \"" + m.source() + "\"");
            }
        }
        for (PluginDevice d : c.linux().devicesOrEmpty()) {
            if (d.path() != null && !d.path().isEmpty()) {
                checkAbsolute("device \"" + d.name() + "\" path", d.path(), problems);
                if (!d.path().startsWith("/dev/")) {
                    problems.add("device \"" + d.name() + "\" path must be under /dev: \"" + d.path() + "\"");
                }
            }
        }
        for (String cap : c.linux().capabilitiesOrEmpty()) {
            if (!CAPABILITIES.contains(cap)) {
                problems.add("unknown capability \"" + cap + "\" (use the kernel's name, e.g. CAP_SYS_ADMIN)");
            }
        }
        for (PluginEnv e : c.envOrEmpty()) {
            if (e.name().isEmpty() || e.name().contains("=") || e.name().indexOf('\0') >= 0) {
                problems.add("env name \"" + e.name() + "\" is not a valid variable name");
            }
            if (e.value() != null && (e.value().indexOf('\0') >= 0 || e.value().indexOf('\n') >= 0)) {
                problems.add("env \"" + e.name() + "\" value contains a NUL or newline");
            }
        }
        c.rootfs().ifPresent(r -> {
            if (!r.type().isEmpty() && !r.type().equals("layers")) {
                problems.add("rootfs type must be \"layers\", not \"" + r.type() + "\"");
            }
            if (r.diffIds() != null && layers >= 0 && r.diffIds().size() != layers) {
                problems.add("rootfs lists " + r.diffIds().size() + " diff_ids for " + layers + " layers");
            }
        });
        if (!problems.isEmpty()) {
            throw new InvalidParameterException("invalid plugin config: " + String.join("; ", problems));
        }
    }

    private static void checkAbsolute(String what, String path, List<String> problems) {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            problems.add(what + " must be an absolute path: \"" + path + "\"");
            return;
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                problems.add(what + " must not contain . or .. components: \"" + path + "\"");
                return;
            }
        }
    }

    private static boolean underAny(String path, String... roots) {
        for (String root : roots) {
            if (path.equals(root) || path.startsWith(root + "/")) {
                return true;
            }
        }
        return false;
    }
}
