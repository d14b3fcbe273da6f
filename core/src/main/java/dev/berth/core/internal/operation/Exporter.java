package dev.berth.core.internal.operation;

import dev.berth.PushedPlugin;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.operation.PluginPusher.Sent;
import dev.berth.exception.InvalidParameterException;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginRecord;
import dev.berth.remote.RegistryResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Exports plugins into another resolver ({@code berth save}): for each plugin, its config, layers and
 * manifest, byte for byte as stored (same digests as in the registry it came from), pushed under its name.
 * With an {@code OciArchiveWriter} as target this writes an {@code oci-archive}; with an
 * {@code OciLayoutResolver}, a layout directory. A read operation: it takes each plugin's lock and the GC
 * read lock in turn, as push does, so it runs beside other operations on the same manager and root.
 */
public final class Exporter {
    private final Engine engine;
    private final PluginPusher pusher;

    /** An exporter of the engine's plugins; {@code pusher} rebuilds a manifest missing from the store. */
    public Exporter(Engine engine, PluginPusher pusher) {
        this.engine = engine;
        this.pusher = pusher;
    }

    /**
     * See {@code PluginManager.export}. Every name is resolved before anything is written, so an unknown
     * name writes nothing.
     */
    public List<PushedPlugin> export(List<String> namesOrIds, RegistryResolver target) {
        Objects.requireNonNull(namesOrIds, "namesOrIds");
        Objects.requireNonNull(target, "target");
        if (namesOrIds.isEmpty()) {
            throw new InvalidParameterException("nothing to export: no plugin named");
        }
        engine.checkOpen();
        List<PluginRecord> records = new ArrayList<>();
        for (String n : namesOrIds) {
            PluginRecord r = engine.table().resolve(Objects.requireNonNull(n, "name"));
            if (records.stream().noneMatch(x -> x.plugin().id().equals(r.plugin().id()))) {
                records.add(r);
            }
        }
        List<PushedPlugin> out = new ArrayList<>();
        for (PluginRecord r : records) {
            out.add(exportOne(r, target));
        }
        return out;
    }

    private PushedPlugin exportOne(PluginRecord found, RegistryResolver target) {
        Reference ref;
        try {
            ref = Reference.parse(found.plugin().name()).withDefaultTag();
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("plugin has invalid name " + found.plugin().name() + " for export: "
                    + e.getMessage(), e);
        }
        // Serially, in manifest order: an archive's bytes then depend on the plugins alone. The target checks
        // each blob against its descriptor (the Pusher contract), so the store's stream is read unhashed.
        Sent sent = pusher.send(found, () -> target.pusher(ref), Optional.empty(), 1, "export");
        return new PushedPlugin(ref.toString(), ref.tag().orElse(Reference.DEFAULT_TAG), sent.descriptor().digest(),
                sent.descriptor().size());
    }
}
