package dev.berth.core.internal.operation;

import dev.berth.content.ContentProvider;
import dev.berth.core.internal.manager.BuildTransaction;
import dev.berth.core.internal.manager.ConfigPlatform;
import dev.berth.core.internal.manager.ConfigValidator;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.core.internal.manager.Pull;
import dev.berth.core.internal.manager.Settings;
import dev.berth.event.PluginEvent;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginSettings;
import dev.berth.plugin.Privileges;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.RootfsApplier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations that bring a plugin from a registry: its privileges, install ({@code docker plugin
 * install}) and upgrade. Both builds go through a {@link BuildTransaction}: fetch manifest and config,
 * validate, check the granted privileges, fetch the layers, apply them in order, publish.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);

    private final Engine engine;
    private final ContentProvider content;
    private final RootfsApplier applier;
    private final Lifecycle lifecycle;
    private final Remover remover;
    private final Duration enableTimeout;

    /** An installer that applies layers with {@code applier} and enables through {@code lifecycle}. */
    public Installer(Engine engine, RootfsApplier applier, Lifecycle lifecycle, Remover remover, Duration enableTimeout) {
        this.engine = engine;
        this.content = engine.store();
        this.applier = applier;
        this.lifecycle = lifecycle;
        this.remover = remover;
        this.enableTimeout = enableTimeout;
    }

    /** See {@code PluginManager.privileges}; {@code platform}, when given, is selected from an index. */
    public List<PluginPrivilege> privileges(String remote, Optional<Platform> platform) {
        return privileges(remote, engine.resolver(), platform);
    }

    /** See {@code PluginManager.privileges(String, RegistryResolver)}. */
    public List<PluginPrivilege> privileges(String remote, RegistryResolver source) {
        return privileges(remote, source, Optional.empty());
    }

    /** The privileges of {@code remote} in {@code source}, selecting {@code platform} (when given) from an index. */
    public List<PluginPrivilege> privileges(String remote, RegistryResolver source, Optional<Platform> platform) {
        return Privileges.of(prefetch(remote, source, platform).head().config());
    }

    /** {@link #prefetch(String, RegistryResolver, Optional)} from the manager's resolver. */
    public Pull.Fetched prefetch(String remote, Optional<Platform> platform) {
        return prefetch(remote, engine.resolver(), platform);
    }

    /**
     * Fetches the manifest and config of {@code remote} in {@code source} (selecting {@code platform}, when
     * given, from an index) for an install or upgrade to {@link Pull#reuse} later; see
     * {@code InstallOperation.privileges()}.
     */
    public Pull.Fetched prefetch(String remote, RegistryResolver source, Optional<Platform> platform) {
        Objects.requireNonNull(source, "source");
        return prefetch(parseRemote(remote), source, platform);
    }

    /** See {@code UpgradeOperation.privileges()}: what {@link #upgrade} would fetch for the plugin. */
    public Pull.Fetched prefetchUpgrade(String nameOrId, Optional<String> remote, Optional<Platform> platform) {
        PluginRecord found = engine.table().resolve(nameOrId);
        Reference ref = parseRemote(remote.orElse(found.plugin().pluginReference()));
        return prefetch(ref, engine.resolver(), platform.or(() -> recordedPlatform(found)));
    }

    private Pull.Fetched prefetch(Reference ref, RegistryResolver source, Optional<Platform> platform) {
        engine.gcLock().readLock().lock();
        var blobs = engine.blobWork();
        try (OperationScope scope = OperationScope.open("privileges", ref.familiar())) {
            engine.checkOpen();
            engine.checkCancelled();
            return engine.pull(blobs, source).fetch(ref, platform);
        } finally {
            blobs.release();
            engine.gcLock().readLock().unlock();
        }
    }

    /** See {@code InstallOperation}: installs, then enables unless {@code disabled}; a failed enable removes it again. */
    public Plugin install(String remote, Optional<String> alias, Optional<List<PluginPrivilege>> granted,
                         boolean disabled, List<String> settings, Optional<Duration> timeout,
                         Optional<Platform> platform, Optional<Pull.Fetched> fetched) {
        return install(remote, engine.resolver(), alias, granted, disabled, settings, timeout, platform, fetched);
    }

    /**
     * As {@link #install(String, Optional, Optional, boolean, List, Optional, Optional, Optional)}, fetching
     * from {@code source}. {@code fetched}, when given, is what {@link #prefetch} returned for the same
     * remote, source and platform: its manifest and config are used instead of fetching them again.
     */
    public Plugin install(String remote, RegistryResolver source, Optional<String> alias,
                          Optional<List<PluginPrivilege>> granted, boolean disabled, List<String> settings,
                          Optional<Duration> timeout, Optional<Platform> platform, Optional<Pull.Fetched> fetched) {
        Objects.requireNonNull(source, "source");
        Reference ref = parseRemote(remote);
        String name = alias.map(Installer::localName).orElseGet(() -> defaultLocalName(ref));
        // A malformed setting fails now, before anything is downloaded.
        settings.forEach(Settings::parse);
        LOG.debug("installing {} as {}", ref, name);
        try (OperationScope scope = OperationScope.open("install", name)) {
            return installAndEnable(ref, source, name, granted, disabled, settings, timeout, platform, fetched);
        }
    }

    private Plugin installAndEnable(Reference ref, RegistryResolver source, String name, Optional<List<PluginPrivilege>> granted,
                                    boolean disabled, List<String> settings, Optional<Duration> timeout,
                                    Optional<Platform> platform, Optional<Pull.Fetched> fetched) {
        PluginRecord record = BuildTransaction.newPlugin(engine, name, ".install", tx -> {
            Pull pull = tx.pull(source);
            Pull.Head head = fetch(pull, tx, fetched.map(pull::reuse).orElseGet(() -> pull.head(ref, platform)), granted);
            PluginConfig config = head.config();
            Settings.Applied applied = Settings.apply(config, PluginSettings.initialFor(config), settings);
            Plugin p = new Plugin(engine.newId(), name, false, ref.toString(), applied.config(), applied.settings());
            return new PluginRecord(p, "", Optional.of(head.manifest().config().digest()), layerDigests(head),
                    Optional.of(head.manifestDescriptor().digest()), "");
        });
        Plugin plugin = record.plugin();
        engine.publish(new PluginEvent.Created(plugin, ref.familiar(), true, engine.clock().instant()));
        if (disabled) {
            return plugin;
        }
        try {
            return lifecycle.enable(plugin.id(), timeout.orElse(enableTimeout));
        } catch (RuntimeException e) {
            try {
                remover.remove(plugin.id(), true);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * See {@code UpgradeOperation}. From an index it selects {@code platform} when given, else the platform
     * the installed plugin's config records (an upgrade keeps the variant that was installed), else the
     * manager's.
     */
    public Plugin upgrade(String nameOrId, Optional<String> remote, Optional<List<PluginPrivilege>> granted,
                          Optional<Platform> platform, Optional<Pull.Fetched> fetched) {
        engine.checkWritable("upgrade");
        PluginRecord found = engine.table().resolve(nameOrId);
        Reference ref = parseRemote(remote.orElse(found.plugin().pluginReference()));
        try (OperationScope scope = OperationScope.open("upgrade", found.plugin().name())) {
            return upgrade(found, ref, granted, platform, fetched);
        }
    }

    private Plugin upgrade(PluginRecord found, Reference ref, Optional<List<PluginPrivilege>> granted,
                           Optional<Platform> platform, Optional<Pull.Fetched> fetched) {
        PluginRecord upgraded = BuildTransaction.replace(engine, found.plugin().id(), ".upgrade", tx -> {
            PluginRecord r = engine.current(found);
            Plugin p = r.plugin();
            if (p.enabled()) {
                throw new ConflictException("plugin must be disabled before upgrading: plugin " + p.name() + " is enabled");
            }
            Pull pull = tx.pull();
            Pull.Head head = fetch(pull, tx, fetched.map(pull::reuse)
                    .orElseGet(() -> pull.head(ref, platform.or(() -> recordedPlatform(r)))), granted);
            Plugin next = p.withConfig(head.config())
                    .withSettings(Settings.carryOver(p.settings(), head.config()))
                    .withPluginReference(ref.toString());
            return new PluginRecord(next, r.rootfs(), Optional.of(head.manifest().config().digest()), layerDigests(head),
                    Optional.of(head.manifestDescriptor().digest()), r.swarmServiceId());
        });
        engine.publish(new PluginEvent.Upgraded(upgraded.plugin(), ref.familiar(), engine.clock().instant()));
        return upgraded.plugin();
    }

    /** Validates the stored manifest and config and the grant, then fetches and applies the layers. */
    private Pull.Head fetch(Pull pull, BuildTransaction tx, Pull.Head head, Optional<List<PluginPrivilege>> granted) {
        KillPoint.reach("pull.head-stored");
        ConfigValidator.validate(head.config(), head.manifest().layers().size());
        granted.ifPresent(g -> Privileges.requireGranted(Privileges.of(head.config()), g));
        Optional<Pull.StreamedLayer> streamed = pull.layersStreaming(head);
        if (streamed.isPresent()) {
            tx.applyStreaming(content, applier, streamed.get(), head.config(),
                    () -> KillPoint.reach("pull.layers-stored"));
        } else {
            KillPoint.reach("pull.layers-stored");
            tx.applyLayers(content, applier, head.manifest().layers(), head.config());
        }
        KillPoint.reach("pull.layers-applied");
        return head;
    }

    /** The platform the plugin's config blob records, if it records a well-formed one. */
    private Optional<Platform> recordedPlatform(PluginRecord r) {
        if (r.config().isEmpty() || !engine.blobExists(r.config().get())) {
            return Optional.empty();
        }
        try {
            return ConfigPlatform.read(engine.readBlob(r.config().get(), OciJson.MAX_CONFIG_BYTES));
        } catch (InvalidParameterException e) {
            LOG.warn("plugin {} records an unreadable platform ({}); upgrading to the manager's", r.plugin().name(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    private static List<dev.berth.oci.Digest> layerDigests(Pull.Head head) {
        return head.manifest().layers().stream().map(Descriptor::digest).toList();
    }

    private static Reference parseRemote(String remote) {
        Objects.requireNonNull(remote, "remote");
        try {
            return Reference.parse(remote);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException(e.getMessage(), e);
        }
    }

    /** The local name for an alias: normalized, {@code :latest} added, familiar; no digest. */
    private static String localName(String alias) {
        Reference ref;
        try {
            ref = Reference.parseNormalized(alias);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("invalid name: " + alias + ": " + e.getMessage(), e);
        }
        if (ref.digest().isPresent()) {
            throw new InvalidParameterException("invalid name: " + alias);
        }
        return ref.withDefaultTag().familiar();
    }

    /** Docker's local name for a remote: by tag, or {@code <repo>:<tag or latest>} for a digest. */
    private static String defaultLocalName(Reference ref) {
        return ref.repository().withTag(ref.tag().orElse(Reference.DEFAULT_TAG)).familiar();
    }
}
