package dev.berth.core.internal.operation;

import dev.berth.IndexFormat;
import dev.berth.PushedIndex;
import dev.berth.core.internal.manager.ConfigPlatform;
import dev.berth.core.internal.manager.Engine;
import dev.berth.event.PluginEvent;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginRecord;
import dev.berth.remote.BlobSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pushes several platform variants of one plugin under one tag: each plugin's config, layers and
 * manifest by digest into the target repository (each manifest stays a single-platform plugin that
 * Docker installs by digest), then an OCI image index or Docker manifest list listing them with their
 * {@code platform}, under the target's tag. Each variant's platform is the one its config records
 * ({@code create --platform}).
 *
 * <p>Everything is checked before anything is uploaded. The index is pushed last, so a failure leaves
 * the tag as it was (manifests already pushed by digest are unreferenced, as after an interrupted
 * {@code docker push}); nothing local changes except a rebuilt manifest, as for push.
 */
public final class PlatformIndexPusher {
    private final Engine engine;
    private final PluginPusher pusher;

    /** An index pusher that pushes each variant through {@code pusher}. */
    public PlatformIndexPusher(Engine engine, PluginPusher pusher) {
        this.engine = engine;
        this.pusher = pusher;
    }

    private record Variant(PluginRecord record, Platform platform) {
    }

    /** See {@code PluginManager.pushIndex}. */
    public PushedIndex push(String target, List<String> plugins, IndexFormat format, boolean platformTags) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(format, "format");
        List<String> names = List.copyOf(plugins);
        Reference tagged = targetOf(target);
        String tag = tagged.tag().orElseThrow();
        List<Variant> variants = variants(names);
        Reference repository = tagged.repository(); // no tag: the manifests are pushed by digest
        List<Reference> targets = new ArrayList<>();
        for (Variant v : variants) {
            targets.add(platformTags ? platformTag(repository, tag, v.platform()) : repository);
        }
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            engine.checkCancelled();
            PluginPusher.Sent sent = pusher.send(v.record(), targets.get(i));
            if (!sent.record().config().equals(v.record().config())) {
                throw new ConflictException("plugin " + v.record().plugin().name()
                        + " changed while its platform index was pushed; push again");
            }
            entries.add(sent.descriptor().withPlatform(v.platform()));
            engine.publish(new PluginEvent.Pushed(sent.record().plugin(), tag, sent.descriptor().digest().toString(),
                    sent.descriptor().size(), engine.clock().instant()));
        }
        byte[] bytes = OciJson.encodeIndex(new ImageIndex(2, Optional.of(format.mediaType()), entries, Map.of()));
        Descriptor index = Descriptor.of(format.mediaType(), Digest.sha256(bytes), bytes.length);
        engine.checkCancelled();
        engine.resolver().pusher(tagged).push(index, BlobSource.of(bytes));
        return new PushedIndex(tagged.toString(), tag, format.mediaType(), index.digest(), index.size(), entries);
    }

    /** The plugins and the platforms their configs record: each once, each platform once. */
    private List<Variant> variants(List<String> names) {
        if (names.isEmpty()) {
            throw new InvalidParameterException("a platform index needs at least one plugin");
        }
        List<Variant> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String name : names) {
            PluginRecord r = engine.table().resolve(name);
            if (!ids.add(r.plugin().id())) {
                throw new InvalidParameterException("plugin " + r.plugin().name() + " is listed twice");
            }
            Digest config = r.config().orElseThrow(() -> new InvalidParameterException(
                    "plugin " + r.plugin().name() + " has no config digest"));
            Platform platform = ConfigPlatform.read(engine.readBlob(config, OciJson.MAX_CONFIG_BYTES))
                    .orElseThrow(() -> new InvalidParameterException("plugin " + r.plugin().name()
                            + " records no platform: create it with --platform os/arch[/variant]"));
            for (Variant v : out) {
                if (v.platform().matches(platform)) { // linux/arm64 and linux/arm64/v8 would be ambiguous too
                    throw new InvalidParameterException("plugins " + v.record().plugin().name() + " and "
                            + r.plugin().name() + " are both for " + platform);
                }
            }
            out.add(new Variant(r, platform));
        }
        return out;
    }

    /** {@code <repository>:<tag>-<os>-<arch>[-<variant>]}. */
    private static Reference platformTag(Reference repository, String tag, Platform p) {
        String value = tag + "-" + p.os() + "-" + p.architecture() + p.variant().map(v -> "-" + v).orElse("");
        if (!value.matches("[\\w][\\w.-]{0,127}")) {
            throw new InvalidParameterException("the tag " + value + " for " + p + " is not a valid tag (too long)");
        }
        return repository.withTag(value);
    }

    private static Reference targetOf(String target) {
        Reference ref;
        try {
            ref = Reference.parse(target);
        } catch (InvalidReferenceException e) {
            throw new InvalidParameterException("invalid index reference " + target + ": " + e.getMessage(), e);
        }
        if (ref.digest().isPresent()) {
            throw new InvalidParameterException("an index is pushed under a tag, not a digest: " + target);
        }
        return ref.withDefaultTag();
    }
}
