package dev.berth;

import dev.berth.core.internal.manager.Boundary;
import dev.berth.core.internal.manager.Pull;
import dev.berth.core.internal.operation.Installer;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.Privileges;
import dev.berth.progress.ProgressListener;
import dev.berth.remote.RegistryResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of an install, as {@code docker plugin install} has them. Obtained from
 * {@link PluginManager#install(String)}; {@link #run()} performs it. Not thread-safe; use once.
 *
 * <pre>{@code
 * Plugin p = manager.install("localhost:5000/acme/volume:1.0")
 *         .alias("volume")
 *         .grantAllPrivileges()
 *         .setting("DEBUG=1")
 *         .disabled()
 *         .run();
 * }</pre>
 */
public final class InstallOperation {
    private final PluginManager manager;
    private final Installer installer;
    private OperationOptions options = OperationOptions.defaults();
    private final String remote;
    private Optional<String> alias = Optional.empty();
    private Optional<List<PluginPrivilege>> granted = Optional.of(List.of());
    private boolean disabled;
    private final List<String> settings = new ArrayList<>();
    private Optional<Duration> enableTimeout = Optional.empty();
    private Optional<RegistryResolver> source = Optional.empty();
    private Optional<Platform> platform = Optional.empty();
    private Optional<Pull.Fetched> fetched = Optional.empty();

    InstallOperation(PluginManager manager, Installer installer, String remote) {
        this.manager = manager;
        this.installer = installer;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /** The local name to install under, instead of the remote's familiar name. @return this */
    public InstallOperation alias(String value) {
        alias = Optional.of(Objects.requireNonNull(value, "alias"));
        return this;
    }

    /**
     * The privileges the caller grants; the install fails unless they are exactly what the plugin
     * requires (as a multiset). Defaults to none. @return this
     */
    public InstallOperation grant(List<PluginPrivilege> privileges) {
        granted = Optional.of(List.copyOf(privileges));
        return this;
    }

    /** Grants whatever the plugin requires ({@code --grant-all-permissions}). @return this */
    public InstallOperation grantAllPrivileges() {
        granted = Optional.empty();
        return this;
    }

    /**
     * Fetches the plugin from {@code resolver} instead of the manager's resolver: an OCI archive
     * ({@code OciArchive}) or layout directory, say, without a second manager. The remote is looked up in
     * it, and recorded as the plugin's reference as usual. @return this
     */
    public InstallOperation from(RegistryResolver resolver) {
        source = Optional.of(Objects.requireNonNull(resolver, "resolver"));
        fetched = Optional.empty();
        return this;
    }

    /** Leaves the plugin disabled ({@code --disable}). @return this */
    public InstallOperation disabled() {
        disabled = true;
        return this;
    }

    /** Settings applied before the plugin is first enabled, {@code KEY=VALUE} as for {@code set}. @return this */
    public InstallOperation setting(String... values) {
        settings.addAll(List.of(values));
        return this;
    }

    /** How long enable waits for the plugin's socket; the manager's default otherwise. @return this */
    public InstallOperation enableTimeout(Duration value) {
        enableTimeout = Optional.of(value);
        return this;
    }

    /**
     * The platform to select when the remote is a manifest list or an OCI index ({@code --platform});
     * the manager's ({@link PluginManagerBuilder#platform(Platform)}) otherwise. Installing a variant for
     * another architecture needs no enabling: combine it with {@link #disabled()} (it cannot run here).
     *
     * @return this
     */
    public InstallOperation platform(Platform value) {
        platform = Optional.of(Objects.requireNonNull(value, "platform"));
        fetched = Optional.empty();
        return this;
    }

    /**
     * The privileges the plugin requires, in Docker's order, for the caller to show and then
     * {@link #grant(List) grant}. Resolves the remote and fetches its manifest and config now, from this
     * install's source and for its platform; {@link #run()} then installs exactly that manifest without
     * fetching either again, so what was granted is what gets installed even if the tag moves in between
     * (Docker resolves the tag a second time). Setting another {@link #from source} or
     * {@link #platform platform} afterwards drops what was fetched.
     *
     * @throws dev.berth.exception.NotFoundException         when the remote does not exist
     * @throws dev.berth.exception.PlatformNotFoundException when the remote is an index without an entry
     *                                                       for the platform
     */
    public List<PluginPrivilege> privileges() {
        Pull.Fetched f = Boundary.call(() -> source.isPresent()
                ? installer.prefetch(remote, source.get(), platform)
                : installer.prefetch(remote, platform));
        fetched = Optional.of(f);
        return Privileges.of(f.head().config());
    }

    /**
     * Installs. On failure nothing is left: no record, no directory, no temp files, no blob that only
     * this install used. When enabling fails the installed plugin is removed again (Docker means to
     * do this and does not).
     *
     * @return the installed plugin
     * @throws dev.berth.exception.PlatformNotFoundException when the remote is an index without an entry
     *                                                       for the platform
     */
    public Plugin run() {
        List<String> s = List.copyOf(settings);
        return Boundary.call(() -> PluginTask.runHere(manager.clock(), options,
                () -> source.isPresent()
                        ? installer.install(remote, source.get(), alias, granted, disabled, s, enableTimeout, platform, fetched)
                        : installer.install(remote, alias, granted, disabled, s, enableTimeout, platform, fetched)));
    }

    /** Where this install's own progress goes, besides the manager's listener. @return this */
    public InstallOperation progress(ProgressListener listener) {
        options = options.withProgress(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * How long this install may take; past it, it stops, is undone and fails with a
     * {@link dev.berth.exception.DeadlineExceededException}. @return this
     */
    public InstallOperation deadline(Duration timeout) {
        options = options.withDeadline(Objects.requireNonNull(timeout, "timeout"));
        return this;
    }

    /** Starts the install in the background on the manager's executor; see {@link PluginTask}. */
    public PluginTask<Plugin> start() {
        return manager.submit(options, m -> run());
    }
}
