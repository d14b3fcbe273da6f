package dev.berth;

import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.operation.Installer;

import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of an upgrade ({@code docker plugin upgrade}). Obtained from
 * {@link PluginManager#upgrade(String)}; {@link #run()} performs it. Not thread-safe; use once.
 */
public final class UpgradeOperation {
    private final Installer installer;
    private final String name;
    private Optional<String> remote = Optional.empty();
    private Optional<List<PluginPrivilege>> granted = Optional.of(List.of());

    UpgradeOperation(Installer installer, String name) {
        this.installer = installer;
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The reference to upgrade to; defaults to the plugin's current {@code PluginReference}. @return this */
    public UpgradeOperation remote(String value) {
        remote = Optional.of(Objects.requireNonNull(value, "remote"));
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
        return Boundary.call(() -> installer.upgrade(name, remote, granted));
    }
}
