package dev.berth;

import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Pull;
import dev.berth.core.internal.operation.Installer;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.Privileges;
import dev.berth.progress.ProgressListener;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of an upgrade ({@code docker plugin upgrade}). Obtained from
 * {@link PluginManager#upgrade(String)}; {@link #run()} performs it. Not thread-safe; use once.
 */
public final class UpgradeOperation {
    private final PluginManager manager;
    private final Installer installer;
    private OperationOptions options = OperationOptions.defaults();
    private final String name;
    private Optional<String> remote = Optional.empty();
    private Optional<List<PluginPrivilege>> granted = Optional.of(List.of());
    private Optional<Platform> platform = Optional.empty();
    private Optional<Pull.Fetched> fetched = Optional.empty();

    UpgradeOperation(PluginManager manager, Installer installer, String name) {
        this.manager = manager;
        this.installer = installer;
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The reference to upgrade to; defaults to the plugin's current {@code PluginReference}. @return this */
    public UpgradeOperation remote(String value) {
        remote = Optional.of(Objects.requireNonNull(value, "remote"));
        fetched = Optional.empty();
        return this;
    }

    /** The privileges granted to the new version. @return this */
    public UpgradeOperation grant(List<PluginPrivilege> privileges) {
        granted = Optional.of(List.copyOf(privileges));
        return this;
    }

    /** Grants whatever the new version requires. @return this */
    public UpgradeOperation grantAllPrivileges() {
        granted = Optional.empty();
        return this;
    }

    /**
     * Upgrades in place: same ID and name, settings kept as Docker keeps them, the rootfs swapped
     * atomically. On failure the plugin is exactly as before.
     *
     * @return the upgraded plugin
     */
    public Plugin run() {
        return Boundary.call(() -> PluginTask.runHere(manager.clock(), options, () -> installer.upgrade(name, remote, granted, platform, fetched)));
    }

    /**
     * The platform to select when the remote is a manifest list or an OCI index. Without it the upgrade
     * keeps the platform the installed plugin's config records ({@code create --platform}, or a variant
     * installed from an index), else uses the manager's. @return this
     */
    public UpgradeOperation platform(Platform value) {
        platform = Optional.of(Objects.requireNonNull(value, "platform"));
        fetched = Optional.empty();
        return this;
    }

    /**
     * The privileges the new version requires, in Docker's order, for the caller to show and then
     * {@link #grant(List) grant}. Fetches its manifest and config now; {@link #run()} then upgrades to
     * exactly that manifest without fetching either again (see {@link InstallOperation#privileges()}).
     * Setting another {@link #remote remote} or {@link #platform platform} afterwards drops what was fetched.
     *
     * @throws dev.berth.exception.NotFoundException when the plugin or the remote does not exist
     */
    public List<PluginPrivilege> privileges() {
        Pull.Fetched f = Boundary.call(() -> installer.prefetchUpgrade(name, remote, platform));
        fetched = Optional.of(f);
        return Privileges.of(f.head().config());
    }

    /** Where this upgrade's own progress goes, besides the manager's listener. @return this */
    public UpgradeOperation progress(ProgressListener listener) {
        options = options.withProgress(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * How long this upgrade may take; past it, it stops, is undone and fails with a
     * {@link dev.berth.exception.DeadlineExceededException}. @return this
     */
    public UpgradeOperation deadline(Duration timeout) {
        options = options.withDeadline(Objects.requireNonNull(timeout, "timeout"));
        return this;
    }

    /** Starts the upgrade in the background on the manager's executor; see {@link PluginTask}. */
    public PluginTask<Plugin> start() {
        return manager.submit(options, m -> run());
    }
}
