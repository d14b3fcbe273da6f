package dev.berth.testkit.remote;

import dev.berth.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in memory, for tests of code that pulls and pushes plugins. It behaves like a
 * distribution registry as far as a {@link RegistryResolver} shows: repositories hold blobs and
 * manifests, tags point at manifests, fetches are verified as they stream, pushes of blobs the
 * repository has are skipped. Thread-safe.
 */
public final class InMemoryRegistry implements RegistryResolver {
    private final Map<String, Repository> repositories = new HashMap<>();
    private final AtomicInteger blobUploads = new AtomicInteger();
    private final AtomicInteger blobFetches = new AtomicInteger();

    /** An empty registry. */
    public InMemoryRegistry() {
    }

    private static final class Repository {
        final Map<Digest, byte[]> blobs = new HashMap<>();
        final Map<Digest, String> manifestTypes = new HashMap<>();
        final Map<String, Digest> tags = new HashMap<>();
    }

    /** Stores a blob in a repository ({@code host/path}) and returns its descriptor. */
    public synchronized Descriptor putBlob(String repository, String mediaType, byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        repo(repository).blobs.put(d, bytes.clone());
        return Descriptor.of(mediaType, d, bytes.length);
    }

    /** Stores a manifest (or index) and tags it with the reference's tag, if it has one. */
    public synchronized Descriptor putManifest(Reference reference, String mediaType, byte[] bytes) {
        Repository r = repo(reference.name());
        Digest d = Digest.sha256(bytes);
        r.blobs.put(d, bytes.clone());
        r.manifestTypes.put(d, mediaType);
        reference.tag().ifPresent(t -> r.tags.put(t, d));
        return Descriptor.of(mediaType, d, bytes.length);
    }

    /** The bytes of a blob or manifest, if the repository has it. */
    public synchronized Optional<byte[]> blob(String repository, Digest digest) {
        Repository r = repositories.get(repository);
        return r == null ? Optional.empty() : Optional.ofNullable(r.blobs.get(digest)).map(byte[]::clone);
    }

    /** The manifest a tag points at. */
    public synchronized Optional<Digest> tag(Reference reference) {
        Repository r = repositories.get(reference.name());
        return r == null ? Optional.empty() : reference.tag().map(r.tags::get);
    }

    /** How many blob uploads (not skipped) happened. */
    public int blobUploads() {
        return blobUploads.get();
    }

    /** How many blob or manifest fetches were opened. */
    public int fetches() {
        return blobFetches.get();
    }

    private Repository repo(String name) {
        return repositories.computeIfAbsent(name, k -> new Repository());
    }

    @Override
    public synchronized Descriptor resolve(Reference reference) {
        Repository r = repositories.get(reference.name());
        Optional<Digest> digest = reference.digest().isPresent() ? reference.digest()
                : Optional.ofNullable(r == null ? null : r.tags.get(reference.tag().orElse(Reference.DEFAULT_TAG)));
        if (r == null || digest.isEmpty() || !r.manifestTypes.containsKey(digest.get())) {
            throw new NotFoundException(reference + ": not found");
        }
        Digest d = digest.get();
        return Descriptor.of(r.manifestTypes.get(d), d, r.blobs.get(d).length);
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        String name = reference.name();
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                return VerifyingInputStream.of(open(name, descriptor, 0), descriptor);
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                return VerifyingInputStream.resuming(open(name, descriptor, resume.count()), descriptor, resume);
            }
        };
    }

    private synchronized InputStream open(String repository, Descriptor descriptor, long offset) {
        Repository r = repositories.get(repository);
        byte[] bytes = r == null ? null : r.blobs.get(descriptor.digest());
        if (bytes == null) {
            throw new NotFoundException(repository + "@" + descriptor.digest() + ": not found");
        }
        blobFetches.incrementAndGet();
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        in.skip(offset);
        return in;
    }

    @Override
    public Pusher pusher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return (descriptor, source) -> push(reference, descriptor, source);
    }

    private PushResult push(Reference reference, Descriptor descriptor, BlobSource source) {
        boolean manifest = MediaTypes.isManifest(descriptor.mediaType()) || MediaTypes.isIndex(descriptor.mediaType());
        synchronized (this) {
            if (!manifest && repo(reference.name()).blobs.containsKey(descriptor.digest())) {
                return new PushResult(descriptor, PushResult.Outcome.ALREADY_EXISTS);
            }
        }
        byte[] bytes;
        try (InputStream in = VerifyingInputStream.of(source.open(), descriptor)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            if (manifest) {
                putManifest(reference, descriptor.mediaType(), bytes);
            } else {
                repo(reference.name()).blobs.put(descriptor.digest(), bytes);
                blobUploads.incrementAndGet();
            }
        }
        return new PushResult(descriptor, PushResult.Outcome.UPLOADED);
    }

    /** The repositories known, for assertions. */
    public synchronized List<String> repositories() {
        return new ArrayList<>(repositories.keySet());
    }
}
