package dev.berth.internal.manager;

import dev.berth.InvalidParameterException;
import dev.berth.NotFoundException;
import dev.berth.SystemException;
import dev.berth.content.ContentCopy;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginConfig;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import dev.berth.progress.ProgressStatus;
import dev.berth.remote.Fetcher;
import dev.berth.remote.RegistryResolver;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The registry side of install, upgrade and privileges: resolve a reference, walk manifest (or index,
 * selecting the host platform), config and layers, and put every blob into the content store,
 * verified as it streams. Blobs already in the store are not downloaded again.
 */
public final class Pull {
    private final RegistryResolver resolver;
    private final ContentStore store;
    private final ProgressListener progress;
    private final Platform platform;
    private final BlobPins pins;
    private final List<Digest> added = new ArrayList<>();
    private final List<Digest> pinned = new ArrayList<>();
    private final List<String> ingests = new ArrayList<>();

    /** The manifest and config of a plugin, stored. */
    public record Head(Reference reference, Descriptor manifestDescriptor, Manifest manifest, PluginConfig config) {
    }

    /**
     * @param pins blobs this operation uses are pinned there until {@link #unpin()}, so a failing
     *             concurrent operation does not delete them
     */
    public Pull(RegistryResolver resolver, ContentStore store, ProgressListener progress, Platform platform,
                BlobPins pins) {
        this.resolver = resolver;
        this.store = store;
        this.progress = progress;
        this.platform = platform;
        this.pins = pins;
    }

    /** Blobs this pull wrote or began to write that were not in the store before. */
    public List<Digest> added() {
        return List.copyOf(added);
    }

    /** The ingest refs this pull opened, for aborting what a failure left half written. */
    public List<String> ingests() {
        return List.copyOf(ingests);
    }

    /** Releases the pins taken by this pull. */
    public void unpin() {
        pinned.forEach(pins::unpin);
        pinned.clear();
    }

    /**
     * Fetches the manifest and the config.
     *
     * @throws InvalidParameterException when the reference is an image or not a plugin
     * @throws NotFoundException         when no manifest matches the host platform
     */
    public Head head(Reference reference) {
        Descriptor desc = resolver.resolve(reference);
        Fetcher fetcher = resolver.fetcher(reference);
        if (desc.mediaType().equals(MediaTypes.DOCKER_MANIFEST_V1_SIGNED)) {
            throw new InvalidParameterException(MediaTypes.DOCKER_MANIFEST_V1_SIGNED + " not supported");
        }
        byte[] bytes = fetcher.fetchBytes(desc, OciJson.MAX_MANIFEST_BYTES);
        if (OciJson.kind(bytes, desc.mediaType()) == OciJson.Kind.INDEX) {
            ImageIndex index = OciJson.decodeIndex(bytes, desc.mediaType());
            Descriptor chosen = index.select(platform).orElseThrow(() -> new NotFoundException(
                    "no manifest for platform " + platform + " in " + reference.familiar()));
            desc = chosen;
            bytes = fetcher.fetchBytes(desc, OciJson.MAX_MANIFEST_BYTES);
        }
        Manifest manifest = OciJson.decodeManifest(bytes, desc.mediaType());
        Descriptor manifestDescriptor = Descriptor.of(manifest.effectiveMediaType(), desc.digest(), desc.size());
        storeBytes("manifest-" + desc.digest(), bytes, desc.digest());
        if (!manifest.isPlugin()) {
            String type = manifest.config().mediaType();
            throw new InvalidParameterException("fetched plugin image but plugin config is missing: " + reference.familiar()
                    + (type.equals(MediaTypes.DOCKER_IMAGE_CONFIG) || type.equals(MediaTypes.OCI_CONFIG)
                    ? " is a container image, not a plugin" : " has config type " + type));
        }
        byte[] configBytes = fetcher.fetchBytes(manifest.config(), OciJson.MAX_CONFIG_BYTES);
        storeBytes("docker-plugin-" + manifest.config().digest(), configBytes, manifest.config().digest());
        PluginConfig config;
        try {
            config = PluginJson.decodeConfig(configBytes);
        } catch (JsonException e) {
            throw new InvalidParameterException("failed to parse config: " + e.getMessage(), e);
        }
        return new Head(reference, manifestDescriptor, manifest, config);
    }

    /** Downloads every layer the store lacks, in manifest order, reporting progress. */
    public void layers(Head head) {
        Fetcher fetcher = null;
        for (Descriptor layer : head.manifest().layers()) {
            if (!MediaTypes.isLayer(layer.mediaType()) && !layer.mediaType().equals(MediaTypes.OCTET_STREAM)) {
                throw new InvalidParameterException("unsupported layer media type " + layer.mediaType()
                        + " in " + head.reference().familiar());
            }
            progress(layer.digest(), ProgressStatus.WAITING, 0, layer.size());
        }
        for (Descriptor layer : head.manifest().layers()) {
            pin(layer.digest());
            if (exists(layer.digest())) {
                progress(layer.digest(), ProgressStatus.ALREADY_EXISTS, 0, 0);
                continue;
            }
            if (fetcher == null) {
                fetcher = resolver.fetcher(head.reference());
            }
            String ref = "layer-" + layer.digest();
            ingests.add(ref);
            Fetcher f = fetcher;
            // Counted as ours before writing: a failure after the commit must still remove it.
            added.add(layer.digest());
            try {
                write(ref, () -> counting(f.fetch(layer), layer), layer);
            } catch (IOException e) {
                throw new SystemException("error fetching layer " + layer.digest() + ": " + e.getMessage(), e);
            }
            progress(layer.digest(), ProgressStatus.DOWNLOAD_COMPLETE, layer.size(), layer.size());
        }
    }

    /**
     * Writes a blob under {@code ref}. When another operation holds the same ingest (two installs
     * sharing a layer), waits for it (containerd's OpenWriter) and does not download again what it
     * committed meanwhile.
     */
    private void write(String ref, java.util.function.Supplier<InputStream> source, Descriptor d) throws IOException {
        ContentWriter writer = ContentCopy.openWriter(store, ref, java.util.OptionalLong.of(d.size()),
                java.util.Optional.of(d.digest()), LOCK_WAIT);
        // The writer holds the ref's lock: it is closed on every path, or the next pull would wait.
        try (writer) {
            if (exists(d.digest())) {
                writer.close();
                store.abort(ref);
                return;
            }
            try (InputStream in = source.get()) {
                ContentCopy.copy(writer, in, java.util.OptionalLong.of(d.size()), java.util.Optional.of(d.digest()),
                        Map.of());
            }
        }
    }

    private static final java.time.Duration LOCK_WAIT = java.time.Duration.ofMinutes(10);

    private boolean exists(Digest digest) {
        try {
            return store.info(digest).isPresent();
        } catch (IOException e) {
            throw new SystemException("cannot read the content store: " + e.getMessage(), e);
        }
    }

    private void storeBytes(String ref, byte[] bytes, Digest digest) {
        pin(digest);
        ingests.add(ref);
        try {
            if (!exists(digest)) {
                // Counted as ours before writing: a failure after the commit must still remove it.
                added.add(digest);
            }
            write(ref, () -> new java.io.ByteArrayInputStream(bytes),
                    Descriptor.of(MediaTypes.OCTET_STREAM, digest, bytes.length));
        } catch (IOException e) {
            throw new SystemException("error writing " + digest + " to the content store: " + e.getMessage(), e);
        }
    }

    private void pin(Digest digest) {
        pins.pin(digest);
        pinned.add(digest);
    }

    private void progress(Digest digest, ProgressStatus status, long current, long total) {
        Guard.progress(progress, new ProgressEvent(shortId(digest), status, current, total));
    }

    /** Docker's blob ID: the first 12 hex characters of the digest. */
    public static String shortId(Digest digest) {
        return digest.hex().substring(0, 12);
    }

    private InputStream counting(InputStream in, Descriptor layer) {
        progress(layer.digest(), ProgressStatus.DOWNLOADING, 0, layer.size());
        return new FilterInputStream(in) {
            private long count;
            private long reported;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count += n;
                    // Report about every MiB so listeners see motion without drowning.
                    if (count - reported >= (1 << 20)) {
                        reported = count;
                        progress(layer.digest(), ProgressStatus.DOWNLOADING, count, layer.size());
                    }
                } else if (n < 0) {
                    progress(layer.digest(), ProgressStatus.VERIFYING_CHECKSUM, count, layer.size());
                }
                return n;
            }
        };
    }
}
