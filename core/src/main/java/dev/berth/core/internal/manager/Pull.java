package dev.berth.core.internal.manager;

import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.PlatformNotFoundException;
import dev.berth.exception.SystemException;
import dev.berth.internal.json.JsonException;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
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
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry side of install, upgrade and privileges: resolve a reference, walk manifest (or index,
 * selecting the host platform), config and layers, and put every blob into the content store,
 * verified as it streams. Blobs already in the store are not downloaded again.
 */
public final class Pull {
    /**
     * The ingest refs of layer downloads: {@code layer-<digest>}. The only ingests worth keeping after a
     * crash, since the next pull of the layer continues them.
     */
    public static final String LAYER_REF_PREFIX = "layer-";

    private final RegistryResolver resolver;
    private final ProgressListener progress;
    private final Optional<Platform> platform;
    private final BlobWork blobs;
    private final Runnable cancelCheck;
    private final int concurrency;
    private final Transfers transfers;

    /** The manifest and config of a plugin, stored. */
    public record Head(Reference reference, Descriptor manifestDescriptor, Manifest manifest, PluginConfig config) {
    }

    /**
     * A {@link Head} as fetched, with the verified bytes of its manifest and config, so that a later pull
     * can store them again ({@link #reuse}) without asking the registry: the privileges shown to a user
     * and the install that follows then read the registry once, and install exactly what was shown.
     * Holds at most {@link OciJson#MAX_MANIFEST_BYTES} plus {@link OciJson#MAX_CONFIG_BYTES}.
     */
    public static final class Fetched {
        private final Head head;
        private final byte[] manifestBytes;
        private final String manifestMediaType;
        private final byte[] configBytes;

        private Fetched(Head head, byte[] manifestBytes, String manifestMediaType, byte[] configBytes) {
            this.head = head;
            this.manifestBytes = manifestBytes;
            this.manifestMediaType = manifestMediaType;
            this.configBytes = configBytes;
        }

        /** The manifest and config. */
        public Head head() {
            return head;
        }
    }

    /**
     * @param platform    the platform selected from indexes; empty leaves the choice to the resolver
     * @param blobs       where the pulled blobs are written, pinned and recorded for undoing, until the
     *                    operation calls {@code blobs.release()}
     * @param cancelCheck throws when the operation is cancelled; called between blobs and on every read
     * @param concurrency how many layers download at once
     * @param transfers   runs the downloads in parallel
     */
    public Pull(RegistryResolver resolver, ProgressListener progress, Optional<Platform> platform, BlobWork blobs,
                Runnable cancelCheck, int concurrency, Transfers transfers) {
        this.resolver = resolver;
        this.concurrency = concurrency;
        this.transfers = transfers;
        this.progress = progress;
        this.platform = platform;
        this.blobs = blobs;
        this.cancelCheck = cancelCheck;
    }

    /** The blobs this pull wrote and pinned, for undoing it. */
    public BlobWork blobs() {
        return blobs;
    }

    /**
     * Fetches the manifest and the config, selecting the pull's platform from an index.
     *
     * @throws InvalidParameterException when the reference is an image or not a plugin
     * @throws PlatformNotFoundException when no manifest matches the platform
     */
    public Head head(Reference reference) {
        return head(reference, Optional.empty());
    }

    /**
     * {@link #head(Reference)} selecting {@code wanted}, when given, instead of the pull's platform.
     *
     * @throws PlatformNotFoundException when no manifest matches the platform
     */
    public Head head(Reference reference, Optional<Platform> wanted) {
        return fetch(reference, wanted).head();
    }

    /**
     * {@link #head(Reference, Optional)}, keeping the bytes for {@link #reuse} by a later pull.
     *
     * @throws PlatformNotFoundException when no manifest matches the platform
     */
    public Fetched fetch(Reference reference, Optional<Platform> wanted) {
        Optional<Platform> chosenPlatform = wanted.or(() -> platform);
        Descriptor desc = chosenPlatform.map(p -> resolver.resolve(reference, p))
                .orElseGet(() -> resolver.resolve(reference));
        Fetcher fetcher = resolver.fetcher(reference);
        if (desc.mediaType().equals(MediaTypes.DOCKER_MANIFEST_V1_SIGNED)) {
            throw new InvalidParameterException(MediaTypes.DOCKER_MANIFEST_V1_SIGNED + " not supported");
        }
        byte[] bytes = fetcher.fetchBytes(desc, OciJson.MAX_MANIFEST_BYTES);
        if (OciJson.kind(bytes, desc.mediaType()) == OciJson.Kind.INDEX) {
            ImageIndex index = OciJson.decodeIndex(bytes, desc.mediaType());
            // a resolver that hands back the index itself leaves the choice here
            desc = index.require(chosenPlatform.orElseGet(Platform::host), reference.familiar());
            bytes = fetcher.fetchBytes(desc, OciJson.MAX_MANIFEST_BYTES);
        }
        Manifest manifest = OciJson.decodeManifest(bytes, desc.mediaType());
        Descriptor manifestDescriptor = Descriptor.of(manifest.effectiveMediaType(), desc.digest(), desc.size());
        blobs.putBytes("manifest-" + desc.digest(), bytes, desc.mediaType());
        if (!manifest.isPlugin()) {
            String type = manifest.config().mediaType();
            throw new InvalidParameterException("fetched plugin image but plugin config is missing: " + reference.familiar()
                    + (type.equals(MediaTypes.DOCKER_IMAGE_CONFIG) || type.equals(MediaTypes.OCI_CONFIG)
                    ? " is a container image, not a plugin" : " has config type " + type));
        }
        byte[] configBytes = fetcher.fetchBytes(manifest.config(), OciJson.MAX_CONFIG_BYTES);
        blobs.putBytes("docker-plugin-" + manifest.config().digest(), configBytes, manifest.config().mediaType());
        PluginConfig config;
        try {
            config = PluginJson.decodeConfig(configBytes);
        } catch (JsonException e) {
            throw new InvalidParameterException("failed to parse config: " + e.getMessage(), e);
        }
        return new Fetched(new Head(reference, manifestDescriptor, manifest, config), bytes, desc.mediaType(), configBytes);
    }

    /**
     * The head that {@code fetched} holds, its manifest and config stored (and pinned) by this pull as
     * {@link #head} stores them, without a request. The bytes were verified against their digests when they
     * were fetched and are never handed out, so they are still what the descriptors name.
     */
    public Head reuse(Fetched fetched) {
        Head head = fetched.head;
        blobs.putBytes("manifest-" + head.manifestDescriptor().digest(), fetched.manifestBytes, fetched.manifestMediaType);
        Descriptor config = head.manifest().config();
        blobs.putBytes("docker-plugin-" + config.digest(), fetched.configBytes, config.mediaType());
        return head;
    }

    /**
     * Downloads every layer the store lacks, reporting progress. When the plugin has one layer, the store
     * lacks it and downloads may run beside this thread, starts its download on a transfer thread and
     * returns at once with the stream of its bytes as they arrive, so the caller extracts while the layer
     * is stored: one pass. Otherwise downloads every missing layer before it returns (empty): up to the
     * pull's concurrency at a time on its download threads (each verified as it streams), or one after
     * another on this thread when one at a time is asked for; when one download fails the others are
     * stopped, every one has ended, and the first failure is thrown.
     */
    public Optional<StreamedLayer> layersStreaming(Head head) {
        List<Descriptor> layers = head.manifest().layers();
        List<Descriptor> missing = missing(head);
        if (layers.size() != 1 || missing.size() != 1 || concurrency <= 1) {
            downloadAll(head, missing);
            return Optional.empty();
        }
        Descriptor layer = missing.get(0);
        Fetcher fetcher = resolver.fetcher(head.reference());
        StreamedLayer streamed = new StreamedLayer(layer);
        streamed.download = transfers.start(() -> {
            try {
                cancelCheck.run();
                download(fetcher, layer, Optional.of(streamed));
                streamed.pipe.finish(); // committed, so verified: only now may the reader see the end
            } catch (RuntimeException e) {
                streamed.pipe.fail(e);
                throw e;
            } finally {
                streamed.decide(false); // never opened: the blob was committed meanwhile
            }
        });
        return Optional.of(streamed);
    }

    private void downloadAll(Head head, List<Descriptor> missing) {
        if (!missing.isEmpty()) {
            Fetcher fetcher = resolver.fetcher(head.reference());
            transfers.each(missing, concurrency, layer -> {
                cancelCheck.run();
                download(fetcher, layer, Optional.empty());
            });
            cancelCheck.run();
        }
    }

    /** Reports WAITING for every layer, pins each, and claims and returns those the store lacks. */
    private List<Descriptor> missing(Head head) {
        for (Descriptor layer : head.manifest().layers()) {
            if (!MediaTypes.isLayer(layer.mediaType()) && !layer.mediaType().equals(MediaTypes.OCTET_STREAM)) {
                throw new InvalidParameterException("unsupported layer media type " + layer.mediaType()
                        + " in " + head.reference().familiar());
            }
            progress(layer.digest(), ProgressStatus.WAITING, 0, layer.size());
        }
        List<Descriptor> missing = new ArrayList<>();
        for (Descriptor layer : head.manifest().layers()) {
            cancelCheck.run();
            blobs.pin(layer.digest());
            if (blobs.exists(layer.digest())) {
                progress(layer.digest(), ProgressStatus.ALREADY_EXISTS, 0, 0);
            } else if (!missing.contains(layer)) {
                blobs.claimIfAbsent(layer.digest());
                missing.add(layer);
            }
        }
        return missing;
    }

    /**
     * A layer being downloaded on a transfer thread whose bytes may also be read here as they arrive.
     * The reader first asks {@link #bytes()}; either way it must {@link #awaitStored()} before the operation
     * goes on or is undone.
     */
    public static final class StreamedLayer {
        private final Descriptor layer;
        private final LayerPipe pipe = new LayerPipe();
        private Transfers.Background download;
        private boolean decided;
        private boolean streaming;

        private StreamedLayer(Descriptor layer) {
            this.layer = layer;
        }

        /** The layer. */
        public Descriptor layer() {
            return layer;
        }

        /** Settles, once, whether the download's bytes go through the pipe. */
        private synchronized boolean decide(boolean stream) {
            if (!decided) {
                decided = true;
                streaming = stream;
                notifyAll();
            }
            return streaming;
        }

        /**
         * The layer's bytes as the download reads them, from the first; the stream ends only after the blob
         * was committed to the store, verified. Empty when the download does not start from the first byte
         * (it continues one a killed process left) or the blob was committed by another operation: then
         * read it from the store after {@link #awaitStored()}. Waits until the download has decided.
         */
        public Optional<InputStream> bytes() {
            synchronized (this) {
                boolean interrupted = false;
                while (!decided) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        download.cancel();
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return streaming ? Optional.of(pipe.input()) : Optional.empty();
            }
        }

        /**
         * Waits for the download to end and throws what it failed with; once this returns, the blob is in
         * the store, verified. Closes the reading end first, so a reader that stopped before the end does
         * not hold the download.
         */
        public void awaitStored() {
            try {
                pipe.input().close();
            } catch (IOException e) {
                // the pipe's input closes without I/O
            }
            download.await();
        }
    }

    /** Downloads {@code layer} into the store, its bytes also into {@code tee}'s pipe when it streams. */
    private void download(Fetcher fetcher, Descriptor layer, Optional<StreamedLayer> tee) {
        try {
            blobs.fetch(LAYER_REF_PREFIX + layer.digest(), layer, resume -> {
                InputStream in = counting(resume.isPresent() ? fetcher.fetch(layer, resume.get())
                        : fetcher.fetch(layer), layer, resume.map(Digester::count).orElse(0L));
                // only a download from the first byte streams, and only the first attempt decides
                return tee.isPresent() && tee.get().decide(resume.isEmpty()) ? tee.get().pipe.tee(in) : in;
            });
        } catch (IOException e) {
            throw new SystemException("error fetching layer " + layer.digest() + ": " + e.getMessage(), e);
        }
        progress(layer.digest(), ProgressStatus.DOWNLOAD_COMPLETE, layer.size(), layer.size());
    }

    private void progress(Digest digest, ProgressStatus status, long current, long total) {
        Guard.progress(progress, new ProgressEvent(shortId(digest), status, current, total));
    }

    /** Docker's blob ID: the first 12 hex characters of the digest. */
    public static String shortId(Digest digest) {
        return digest.hex().substring(0, 12);
    }

    private InputStream counting(InputStream in, Descriptor layer, long offset) {
        progress(layer.digest(), ProgressStatus.DOWNLOADING, offset, layer.size());
        return new MeteredInputStream(in, cancelCheck, n -> progress(layer.digest(),
                offset + n < layer.size() ? ProgressStatus.DOWNLOADING : ProgressStatus.VERIFYING_CHECKSUM,
                offset + n, layer.size()));
    }
}
