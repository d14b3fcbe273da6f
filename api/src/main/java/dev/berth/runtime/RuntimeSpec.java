package dev.berth.runtime;

import dev.berth.api.internal.GoJsonWriter;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The part of an OCI runtime spec ({@code config.json} of a bundle) that Berth fills in for a plugin.
 * Everything else of the OCI spec is left at its zero value, as dockerd leaves it. Build one with
 * {@link PluginSpecGenerator}; hand it to a {@link PluginRuntime}.
 *
 * <p>The process always runs as uid 0, gid 0 without a terminal: Docker ignores a plugin config's
 * {@code User} and so does Berth.
 *
 * @param args              the process's argv; not empty
 * @param env               {@code NAME=value} strings
 * @param cwd               the working directory inside the rootfs, absolute
 * @param capabilities      the capability sets
 * @param rootPath          the host path of the rootfs (writable, as Docker's)
 * @param mounts            the mounts in the order the runtime applies them
 * @param deviceRules       the device cgroup rules, in order
 * @param namespaces        the namespace types to create ({@code mount}, {@code network}, ...)
 * @param devices           the device nodes to create inside the container
 * @param rootfsPropagation {@code rshared} when the plugin has a propagated mount, else empty
 * @param maskedPaths       paths hidden inside the container
 * @param readonlyPaths     paths made read-only inside the container
 */
public record RuntimeSpec(List<String> args, List<String> env, String cwd, Capabilities capabilities,
                          String rootPath, List<Mount> mounts, List<DeviceRule> deviceRules,
                          List<String> namespaces, List<Device> devices, String rootfsPropagation,
                          List<String> maskedPaths, List<String> readonlyPaths) {
    /** The OCI runtime-spec version dockerd 20.10 writes (runc 1.1 accepts it). */
    public static final String OCI_VERSION = "1.0.2-dev";

    /** Checks and copies. */
    public RuntimeSpec {
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a runtime spec needs a process: args are empty");
        }
        env = List.copyOf(env);
        Objects.requireNonNull(cwd, "cwd");
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: \"" + cwd + "\"");
        }
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(rootPath, "rootPath");
        mounts = List.copyOf(mounts);
        deviceRules = List.copyOf(deviceRules);
        namespaces = List.copyOf(namespaces);
        devices = List.copyOf(devices);
        Objects.requireNonNull(rootfsPropagation, "rootfsPropagation");
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }

    /**
     * The four capability sets of the process (the ambient set stays empty, as in Docker's).
     *
     * @param bounding    the bounding set
     * @param effective   the effective set
     * @param inheritable the inheritable set
     * @param permitted   the permitted set
     */
    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                               List<String> permitted) {
        /** Copies. */
        public Capabilities {
            bounding = List.copyOf(bounding);
            effective = List.copyOf(effective);
            inheritable = List.copyOf(inheritable);
            permitted = List.copyOf(permitted);
        }
    }

    /**
     * A mount.
     *
     * @param destination the absolute path inside the container
     * @param type        the file system type, e.g. {@code bind}, {@code proc}
     * @param source      the source (a host path for binds)
     * @param options     the mount options
     */
    public record Mount(String destination, String type, String source, List<String> options) {
        /** Checks and copies. */
        public Mount {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(source, "source");
            options = List.copyOf(options);
        }
    }

    /**
     * A device cgroup rule.
     *
     * @param allow  allow or deny
     * @param type   {@code c}, {@code b}, or empty for every type
     * @param major  the major number, or empty for every one
     * @param minor  the minor number, or empty for every one
     * @param access a combination of {@code r}, {@code w}, {@code m}
     */
    public record DeviceRule(boolean allow, String type, OptionalLong major, OptionalLong minor, String access) {
        /** Checks. */
        public DeviceRule {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(major, "major");
            Objects.requireNonNull(minor, "minor");
            Objects.requireNonNull(access, "access");
        }

        /** A rule for one character or block device. */
        public static DeviceRule of(boolean allow, String type, long major, long minor, String access) {
            return new DeviceRule(allow, type, OptionalLong.of(major), OptionalLong.of(minor), access);
        }
    }

    /**
     * A device node created inside the container.
     *
     * @param path     the path inside the container
     * @param type     {@code c} or {@code b}
     * @param major    the major number
     * @param minor    the minor number
     * @param fileMode the permission bits
     * @param uid      the owner
     * @param gid      the group
     */
    public record Device(String path, String type, long major, long minor, int fileMode, long uid, long gid) {
        /** Checks. */
        public Device {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * The bundle's {@code config.json}: compact JSON with the keys and their order exactly as dockerd
     * 20.10 hands the spec to its runtime (Go's encoding of the OCI spec types, empty fields omitted).
     */
    public byte[] toJson() {
        GoJsonWriter w = new GoJsonWriter();
        w.beginObject().name("ociVersion").value(OCI_VERSION);
        w.name("process").beginObject();
        w.name("user").beginObject().name("uid").value(0).name("gid").value(0).endObject();
        w.name("args").stringArray(args);
        if (!env.isEmpty()) {
            w.name("env").stringArray(env);
        }
        w.name("cwd").value(cwd);
        w.name("capabilities").beginObject();
        capabilitySet(w, "bounding", capabilities.bounding());
        capabilitySet(w, "effective", capabilities.effective());
        capabilitySet(w, "inheritable", capabilities.inheritable());
        capabilitySet(w, "permitted", capabilities.permitted());
        w.endObject();
        w.endObject();
        w.name("root").beginObject().name("path").value(rootPath).endObject();
        if (!mounts.isEmpty()) {
            w.name("mounts").array(mounts, (o, m) -> {
                o.beginObject().name("destination").value(m.destination());
                if (!m.type().isEmpty()) {
                    o.name("type").value(m.type());
                }
                if (!m.source().isEmpty()) {
                    o.name("source").value(m.source());
                }
                if (!m.options().isEmpty()) {
                    o.name("options").stringArray(m.options());
                }
                o.endObject();
            });
        }
        w.name("linux").beginObject();
        w.name("resources").beginObject();
        if (!deviceRules.isEmpty()) {
            w.name("devices").array(deviceRules, (o, r) -> {
                o.beginObject().name("allow").value(r.allow());
                if (!r.type().isEmpty()) {
                    o.name("type").value(r.type());
                }
                r.major().ifPresent(v -> o.name("major").value(v));
                r.minor().ifPresent(v -> o.name("minor").value(v));
                if (!r.access().isEmpty()) {
                    o.name("access").value(r.access());
                }
                o.endObject();
            });
        }
        w.endObject();
        if (!namespaces.isEmpty()) {
            w.name("namespaces").array(namespaces, (o, n) -> o.beginObject().name("type").value(n).endObject());
        }
        if (!devices.isEmpty()) {
            w.name("devices").array(devices, (o, d) -> o.beginObject()
                    .name("path").value(d.path()).name("type").value(d.type())
                    .name("major").value(d.major()).name("minor").value(d.minor())
                    .name("fileMode").value(d.fileMode()).name("uid").value(d.uid()).name("gid").value(d.gid())
                    .endObject());
        }
        if (!rootfsPropagation.isEmpty()) {
            w.name("rootfsPropagation").value(rootfsPropagation);
        }
        if (!maskedPaths.isEmpty()) {
            w.name("maskedPaths").stringArray(maskedPaths);
        }
        if (!readonlyPaths.isEmpty()) {
            w.name("readonlyPaths").stringArray(readonlyPaths);
        }
        w.endObject();
        w.endObject();
        return w.toBytes();
    }

    private static void capabilitySet(GoJsonWriter w, String name, List<String> set) {
        if (!set.isEmpty()) {
            w.name(name).stringArray(set);
        }
    }
}
