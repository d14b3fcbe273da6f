package dev.berth.testkit.registry;

import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RegistryResolver} in memory, without HTTP: for tests of code that pulls and pushes
 * (the plugin manager) where transport does not matter. Blobs are shared by all repositories (as in a
 * registry's storage); tags are per repository ({@code domain/path}). Verifies what is pushed and what is
 * fetched exactly like the real resolvers. Thread-safe.
 */
public final class InMemoryRegistry implements RegistryResolver {
    private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    /** repository name -> tag -> manifest descriptor. */
    private final Map<String, Map<String, Descriptor>> tags = new ConcurrentHashMap<>();
    private final Platform platform;
    private final java.util.concurrent.atomic.AtomicInteger uploads = new java.util.concurrent.atomic.AtomicInteger();

    /** A registry that selects the host's platform from indexes. */
    public InMemoryRegistry() {
        this(Platform.host());
    }

    /** A registry that selects {@code platform} from indexes. */
    public InMemoryRegistry(Platform platform) {
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /** A blob's bytes, if stored. */
    public Optional<byte[]> blob(Digest digest) {
        return Optional.ofNullable(blobs.get(digest)).map(byte[]::clone);
    }

    /** How many blobs are stored. */
    public int blobCount() {
        return blobs.size();
    }

    /** How many pushed blobs and manifests were uploaded (not skipped because they were there). */
    public int uploads() {
        return uploads.get();
    }

    /** Stores a blob, as a test's setup, and returns its descriptor. */
    public Descriptor putBlob(String mediaType, byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        blobs.put(d, bytes.clone());
        return Descriptor.of(mediaType, d, bytes.length);
    }

    /** Stores a manifest or index and tags it with the reference's tag ({@code latest} if none). */
    public Descriptor putManifest(Reference reference, String mediaType, byte[] bytes) {
        Descriptor d = putBlob(mediaType, bytes);
        tags.computeIfAbsent(reference.name(), k -> new ConcurrentHashMap<>())
                .put(reference.tag().orElse(Reference.DEFAULT_TAG), d);
        return d;
    }

    /** The manifest digest a reference's tag points at, if any. */
    public Optional<Digest> tag(Reference reference) {
        return Optional.ofNullable(tags.getOrDefault(reference.name(), Map.of())
                .get(reference.tag().orElse(Reference.DEFAULT_TAG))).map(Descriptor::digest);
    }

    @Override
    public Descriptor resolve(Reference reference) {
        return resolve(reference, platform);
    }

    @Override
    public Descriptor resolve(Reference reference, Platform platform) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        Descriptor root;
        if (reference.digest().isPresent()) {
            byte[] bytes = blobs.get(reference.digest().get());
            if (bytes == null) {
                throw new NotFoundException(reference + ": not found");
            }
            String declared = tags.getOrDefault(reference.name(), Map.of()).values().stream()
                    .filter(d -> d.digest().equals(reference.digest().get())).map(Descriptor::mediaType).findFirst()
                    .orElse("");
            String type = OciJson.kind(bytes, declared) == OciJson.Kind.INDEX
                    ? OciJson.decodeIndex(bytes, declared).mediaType().orElse(MediaTypes.OCI_INDEX)
                    : OciJson.decodeManifest(bytes, declared).mediaType().orElse(MediaTypes.OCI_MANIFEST);
            root = Descriptor.of(type, reference.digest().get(), bytes.length);
        } else {
            root = tags.getOrDefault(reference.name(), Map.of()).get(reference.tag().orElse(Reference.DEFAULT_TAG));
            if (root == null) {
                throw new NotFoundException(reference + ": not found");
            }
        }
        if (!MediaTypes.isIndex(root.mediaType())) {
            return root;
        }
        ImageIndex index = OciJson.decodeIndex(blobs.get(root.digest()), root.mediaType());
        return index.require(platform, reference.toString());
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                return VerifyingInputStream.of(open(descriptor, 0), descriptor);
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                return VerifyingInputStream.resuming(open(descriptor, resume.count()), descriptor, resume);
            }
        };
    }

    private InputStream open(Descriptor d, long offset) {
        Objects.requireNonNull(d, "descriptor");
        byte[] bytes = blobs.get(d.digest());
        if (bytes == null) {
            throw new NotFoundException(d.digest() + ": not found");
        }
        if (offset > bytes.length) {
            throw new IllegalArgumentException("offset " + offset + " beyond " + bytes.length);
        }
        return new ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset);
    }

    @Override
    public Pusher pusher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return (descriptor, source) -> push(reference, descriptor, source);
    }

    private PushResult push(Reference reference, Descriptor d, BlobSource source) {
        Objects.requireNonNull(d, "descriptor");
        Objects.requireNonNull(source, "source");
        PushResult.Outcome outcome = PushResult.Outcome.ALREADY_EXISTS;
        if (!blobs.containsKey(d.digest())) {
            try (InputStream in = VerifyingInputStream.of(source.open(), d)) {
                blobs.put(d.digest(), in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("reading the source of " + d.digest(), e);
            }
            uploads.incrementAndGet();
            outcome = PushResult.Outcome.UPLOADED;
        }
        if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
            Descriptor plain = Descriptor.of(d.mediaType(), d.digest(), d.size());
            Map<String, Descriptor> repo = tags.computeIfAbsent(reference.name(), k -> new ConcurrentHashMap<>());
            repo.put(reference.tag().orElse(d.digest().toString()), plain);
        }
        return new PushResult(d, outcome);
    }
}
