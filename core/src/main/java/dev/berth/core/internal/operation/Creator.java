package dev.berth.core.internal.operation;

import dev.berth.content.ContentWriter;
import dev.berth.core.internal.manager.BlobWork;
import dev.berth.core.internal.manager.BuildTransaction;
import dev.berth.core.internal.manager.ConfigPlatform;
import dev.berth.core.internal.manager.ConfigValidator;
import dev.berth.core.internal.manager.Engine;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.core.internal.manager.MeteredInputStream;
import dev.berth.core.internal.manager.OperationScope;
import dev.berth.event.PluginEvent;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnavailableException;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginRootfs;
import dev.berth.plugin.PluginSettings;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.SplitContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Creates a plugin from a context ({@code docker plugin create}): splits it into config and layer,
 * stores the layer, the config blob and a manifest, applies the layer as the rootfs, and publishes the
 * plugin through a {@link BuildTransaction}.
 */
// Operation scopes are held for their effect on this thread (they name the operation), not referenced.
@SuppressWarnings("try")
public final class Creator {
    private final Engine engine;
    private final Optional<ContextSplitter> splitter;
    private final RootfsApplier applier;
    private final String dockerVersion;

    /** A creator; without a splitter every create fails with a message saying what to configure. */
    public Creator(Engine engine, Optional<ContextSplitter> splitter, RootfsApplier applier, String dockerVersion) {
        this.engine = engine;
        this.splitter = splitter;
        this.applier = applier;
        this.dockerVersion = dockerVersion;
    }

    /** See {@code PluginManager.create}; {@code platform}, when given, is recorded in the config blob. */
    public Plugin create(String name, InputStream context, Optional<Platform> platform) {
        Objects.requireNonNull(context, "context");
        ContextSplitter split = splitter.orElseThrow(() -> new UnavailableException(
                "no context splitter configured: set PluginManager.Builder.contextSplitter"));
        engine.checkWritable("create");
        String local = localName(name);
        PluginRecord record;
        try (OperationScope scope = OperationScope.open("create", local)) {
            // The context is read through a check, so a cancel stops even a long split.
            InputStream checked = new MeteredInputStream(context, engine::checkCancelled, n -> { });
            record = BuildTransaction.newPlugin(engine, local, ".create", tx -> {
                try {
                    return build(tx, split, local, checked, platform);
                } catch (IOException e) {
                    throw new SystemException("error creating plugin " + local + ": " + e.getMessage(), e);
                }
            });
        }
        engine.publish(new PluginEvent.Created(record.plugin(), "", false, engine.clock().instant()));
        return record.plugin();
    }

    private PluginRecord build(BuildTransaction tx, ContextSplitter split, String local, InputStream context,
                               Optional<Platform> platform) throws IOException {
        BlobWork blobs = tx.blobs();
        String ingestRef = "create-" + local + "-" + Engine.randomHex(8);
        blobs.ingest(ingestRef);
        SplitContext parts;
        ContentWriter writer = engine.store().writer(ingestRef);
        try {
            parts = split.split(context, writer.outputStream());
            Digest layerDigest = parts.layer().digest();
            blobs.pin(layerDigest);
            blobs.claimIfAbsent(layerDigest);
            writer.commit(OptionalLong.of(parts.layer().size()), Optional.of(layerDigest), Map.of());
            KillPoint.reach("create.layer-stored");
        } catch (RuntimeException | IOException e) {
            writer.close();
            throw e;
        }
        PluginConfig config = decodeConfig(parts.config()).toBuilder()
                .dockerVersion(dockerVersion)
                .rootfs(new PluginRootfs(List.of(parts.layer().diffId().toString()), "layers"))
                .build();
        ConfigValidator.validate(config, 1);
        byte[] configBlob = PluginJson.encodeConfigBlob(config);
        if (platform.isPresent()) {
            configBlob = ConfigPlatform.record(configBlob, platform.get());
        }
        Descriptor configDesc = blobs.putBytes(local + "-config.json", configBlob, MediaTypes.DOCKER_PLUGIN_CONFIG);
        // The splitter names the layer's type: Docker's gzip by default, OCI's zstd or Docker's plain tar.
        Descriptor layerDesc = Descriptor.of(parts.layer().mediaType(), parts.layer().digest(), parts.layer().size());
        byte[] manifestBytes = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, List.of(layerDesc)));
        Descriptor manifestDesc = blobs.putBytes("manifest-" + Digest.sha256(manifestBytes), manifestBytes,
                MediaTypes.DOCKER_MANIFEST_V2);
        KillPoint.reach("create.blobs-stored");
        tx.applyLayers(engine.store(), applier, List.of(layerDesc), config);
        Plugin p = new Plugin(engine.newId(), local, false, local, config, PluginSettings.initialFor(config));
        return new PluginRecord(p, "", Optional.of(configDesc.digest()), List.of(layerDesc.digest()),
                Optional.of(manifestDesc.digest()), "");
    }

    private static PluginConfig decodeConfig(byte[] bytes) {
        try {
            return PluginJson.decodeConfig(bytes);
        } catch (JsonException e) {
            throw new InvalidParameterException("failed to parse config: " + e.getMessage(), e);
        }
    }

    /** The local name of a created plugin: normalized, {@code :latest} added, familiar; no digest. */
    private static String localName(String name) {
        Reference ref;
        try {
            ref = Reference.parseNormalized(name);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("failed to parse reference " + name + ": " + e.getMessage(), e);
        }
        if (ref.digest().isPresent()) {
            throw new InvalidParameterException("canonical references are not permitted: " + name);
        }
        return ref.withDefaultTag().familiar();
    }
}
