package dev.berth.plugin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A plugin's config blob ({@code application/vnd.docker.plugin.v1+json}): what the plugin is, what
 * it runs and what it asks of the host. Components are in Docker's encoding order.
 *
 * @param args            default arguments, settable
 * @param description     free text shown by {@code ls}
 * @param dockerVersion   the version of the tool that created the plugin; omitted from JSON when empty
 * @param documentation   a URL
 * @param entrypoint      the process's argv start; nullable
 * @param env             declared environment variables; nullable
 * @param pluginInterface the socket and capability types ({@code Interface} in JSON)
 * @param ipcHost         share the host's IPC namespace
 * @param linux           capabilities and devices
 * @param mounts          mounts; nullable
 * @param network         the network mode
 * @param pidHost         share the host's PID namespace
 * @param propagatedMount a path inside the plugin shared with the host (rshared); empty for none
 * @param user            stored, never applied (as Docker)
 * @param workDir         the process's working directory; empty means {@code /}
 * @param rootfs          the layer IDs, absent when the JSON had no {@code rootfs}
 */
public record PluginConfig(PluginArgs args, String description, String dockerVersion, String documentation,
                           List<String> entrypoint, List<PluginEnv> env, PluginInterface pluginInterface,
                           boolean ipcHost, PluginLinux linux, List<PluginMount> mounts, PluginNetwork network,
                           boolean pidHost, String propagatedMount, PluginUser user, String workDir,
                           Optional<PluginRootfs> rootfs) {
    /** A config with every field at Docker's zero value. */
    public static final PluginConfig EMPTY = builder().build();

    /** Checks and copies. */
    public PluginConfig {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(dockerVersion, "dockerVersion");
        Objects.requireNonNull(documentation, "documentation");
        entrypoint = Nulls.copy(entrypoint);
        env = Nulls.copy(env);
        Objects.requireNonNull(pluginInterface, "pluginInterface");
        Objects.requireNonNull(linux, "linux");
        mounts = Nulls.copy(mounts);
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(propagatedMount, "propagatedMount");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(rootfs, "rootfs");
    }

    /** The declared env, empty when none. */
    public List<PluginEnv> envOrEmpty() {
        return Nulls.orEmpty(env);
    }

    /** The mounts, empty when none. */
    public List<PluginMount> mountsOrEmpty() {
        return Nulls.orEmpty(mounts);
    }

    /** The entrypoint, empty when none. */
    public List<String> entrypointOrEmpty() {
        return Nulls.orEmpty(entrypoint);
    }

    /** Whether one of the interface types provides the capability (Docker's matching, §1.3). */
    public boolean provides(String capability) {
        return pluginInterface.typesOrEmpty().stream().anyMatch(t -> t.provides(capability));
    }

    /** A builder starting from Docker's zero values. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.args = args;
        b.description = description;
        b.dockerVersion = dockerVersion;
        b.documentation = documentation;
        b.entrypoint = entrypoint;
        b.env = env;
        b.pluginInterface = pluginInterface;
        b.ipcHost = ipcHost;
        b.linux = linux;
        b.mounts = mounts;
        b.network = network;
        b.pidHost = pidHost;
        b.propagatedMount = propagatedMount;
        b.user = user;
        b.workDir = workDir;
        b.rootfs = rootfs;
        return b;
    }

    /** Builds configs; setters are named after the components. Not thread-safe. */
    public static final class Builder {
        private PluginArgs args = PluginArgs.EMPTY;
        private String description = "";
        private String dockerVersion = "";
        private String documentation = "";
        private List<String> entrypoint;
        private List<PluginEnv> env;
        private PluginInterface pluginInterface = PluginInterface.EMPTY;
        private boolean ipcHost;
        private PluginLinux linux = PluginLinux.EMPTY;
        private List<PluginMount> mounts;
        private PluginNetwork network = PluginNetwork.DEFAULT;
        private boolean pidHost;
        private String propagatedMount = "";
        private PluginUser user = PluginUser.EMPTY;
        private String workDir = "";
        private Optional<PluginRootfs> rootfs = Optional.empty();

        private Builder() {
        }

        /** @return this */
        public Builder args(PluginArgs value) {
            args = value;
            return this;
        }

        /** @return this */
        public Builder description(String value) {
            description = value;
            return this;
        }

        /** @return this */
        public Builder dockerVersion(String value) {
            dockerVersion = value;
            return this;
        }

        /** @return this */
        public Builder documentation(String value) {
            documentation = value;
            return this;
        }

        /** @param value nullable @return this */
        public Builder entrypoint(List<String> value) {
            entrypoint = value;
            return this;
        }

        /** @param value nullable @return this */
        public Builder env(List<PluginEnv> value) {
            env = value;
            return this;
        }

        /** @return this */
        public Builder pluginInterface(PluginInterface value) {
            pluginInterface = value;
            return this;
        }

        /** @return this */
        public Builder ipcHost(boolean value) {
            ipcHost = value;
            return this;
        }

        /** @return this */
        public Builder linux(PluginLinux value) {
            linux = value;
            return this;
        }

        /** @param value nullable @return this */
        public Builder mounts(List<PluginMount> value) {
            mounts = value;
            return this;
        }

        /** @return this */
        public Builder network(PluginNetwork value) {
            network = value;
            return this;
        }

        /** @return this */
        public Builder pidHost(boolean value) {
            pidHost = value;
            return this;
        }

        /** @return this */
        public Builder propagatedMount(String value) {
            propagatedMount = value;
            return this;
        }

        /** @return this */
        public Builder user(PluginUser value) {
            user = value;
            return this;
        }

        /** @return this */
        public Builder workDir(String value) {
            workDir = value;
            return this;
        }

        /** @return this */
        public Builder rootfs(PluginRootfs value) {
            rootfs = Optional.of(value);
            return this;
        }

        /** @return this */
        public Builder noRootfs() {
            rootfs = Optional.empty();
            return this;
        }

        /** A new config. */
        public PluginConfig build() {
            return new PluginConfig(args, description, dockerVersion, documentation, entrypoint, env,
                    pluginInterface, ipcHost, linux, mounts, network, pidHost, propagatedMount, user, workDir, rootfs);
        }
    }
}
