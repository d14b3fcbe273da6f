package dev.berth.cli;

import dev.berth.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RegistryResolver} over one OCI image-layout directory ({@code oci-layout}, {@code index.json},
 * {@code blobs/<alg>/<hex>}), the format {@code skopeo copy ... oci:DIR:TAG} reads and writes.
 *
 * <p>The layout is a single repository: the registry and repository of a reference are ignored and its
 * tag is matched against the {@code org.opencontainers.image.ref.name} annotation of the index entries
 * (a digest reference matches the entry's digest). Pushing writes blobs by their digest through a
 * temporary file and an atomic rename, then replaces {@code index.json} the same way, so a reader never
 * sees half a blob or half an index.
 *
 * <p>This is the command-line tool's own small implementation, used until the registry module ships its
 * layout resolver. Thread-safe for reads; concurrent pushes of manifests to the same layout are
 * serialized within this instance only.
 */
final class OciLayoutResolver implements RegistryResolver {
    private static final String LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private final Path dir;
    private final Platform platform;
    private final Object indexLock = new Object();

    OciLayoutResolver(Path dir, Platform platform) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /** The layout directory. */
    Path dir() {
        return dir;
    }

    @Override
    public Descriptor resolve(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        ImageIndex index = readIndex().orElseThrow(() -> new NotFoundException(
                "no OCI image layout at " + dir + " (index.json is missing)"));
        Descriptor found = null;
        for (Descriptor d : index.manifests()) {
            boolean match = reference.digest().isPresent()
                    ? d.digest().equals(reference.digest().get())
                    : reference.tag().orElse(Reference.DEFAULT_TAG).equals(d.annotations().get(ImageIndex.REF_NAME));
            if (match) {
                found = d;
            }
        }
        if (found == null) {
            throw new NotFoundException("no manifest for " + tagOf(reference) + " in the OCI layout " + dir);
        }
        if (MediaTypes.isIndex(found.mediaType())) {
            byte[] bytes = fetcher(reference).fetchBytes(found, OciJson.MAX_MANIFEST_BYTES);
            ImageIndex nested = OciJson.decodeIndex(bytes, found.mediaType());
            return nested.select(platform).orElseThrow(() -> new RegistryException(RegistryException.Reason.PLATFORM,
                    "no manifest for platform " + platform + " in " + tagOf(reference) + " of the OCI layout " + dir));
        }
        return Descriptor.of(found.mediaType(), found.digest(), found.size());
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                return VerifyingInputStream.of(open(descriptor.digest(), 0), descriptor);
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                if (resume.count() > descriptor.size()) {
                    throw new IllegalArgumentException("resume offset " + resume.count() + " is beyond the size "
                            + descriptor.size() + " of " + descriptor.digest());
                }
                return VerifyingInputStream.resuming(open(descriptor.digest(), resume.count()), descriptor, resume);
            }
        };
    }

    @Override
    public Pusher pusher(Reference reference) {
        String tag = tagOf(reference);
        return (descriptor, source) -> {
            Path blob = blobPath(descriptor.digest());
            boolean existed = Files.exists(blob);
            if (!existed) {
                writeBlob(descriptor, source);
            }
            if (MediaTypes.isManifest(descriptor.mediaType()) || MediaTypes.isIndex(descriptor.mediaType())) {
                tag(descriptor, tag);
            }
            return new PushResult(descriptor, existed ? PushResult.Outcome.ALREADY_EXISTS : PushResult.Outcome.UPLOADED);
        };
    }

    private static String tagOf(Reference reference) {
        return reference.tag().orElse(reference.digest().map(Digest::toString).orElse(Reference.DEFAULT_TAG));
    }

    private Path blobPath(Digest digest) {
        // Digest validates algorithm and hex, so neither part can climb out of blobs/.
        return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private InputStream open(Digest digest, long offset) {
        try {
            SeekableByteChannel ch = Files.newByteChannel(blobPath(digest));
            try {
                ch.position(offset);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return Channels.newInputStream(ch);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("blob " + digest + " not found in the OCI layout " + dir, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + digest + " of the OCI layout " + dir, e);
        }
    }

    private void writeBlob(Descriptor descriptor, dev.berth.remote.BlobSource source) {
        Path blob = blobPath(descriptor.digest());
        Path tmp = null;
        try {
            Files.createDirectories(blob.getParent());
            ensureLayoutFile();
            tmp = Files.createTempFile(blob.getParent(), ".upload-", ".tmp");
            try (InputStream in = VerifyingInputStream.of(source.open(), descriptor)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(tmp) != descriptor.size()) {
                throw new RegistryException(RegistryException.Reason.SIZE, descriptor.digest() + ": got "
                        + Files.size(tmp) + " bytes, expected " + descriptor.size());
            }
            Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write blob " + descriptor.digest() + " into the OCI layout " + dir, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: a stray temp file is harmless, the next push writes a new one.
                }
            }
        }
    }

    private void ensureLayoutFile() throws IOException {
        Path layout = dir.resolve("oci-layout");
        if (!Files.exists(layout)) {
            try {
                Files.writeString(layout, LAYOUT_FILE, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException ignored) {
                // Another writer made it first; same content.
            }
        }
    }

    /** Points {@code tag} at the manifest: an entry with the same name is replaced, as skopeo does. */
    private void tag(Descriptor manifest, String tag) {
        synchronized (indexLock) {
            List<Descriptor> entries = new ArrayList<>();
            readIndex().ifPresent(i -> i.manifests().stream()
                    .filter(d -> !tag.equals(d.annotations().get(ImageIndex.REF_NAME)))
                    .forEach(entries::add));
            entries.add(Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size())
                    .withAnnotations(Map.of(ImageIndex.REF_NAME, tag)));
            byte[] bytes = OciJson.encodeIndex(ImageIndex.of(entries));
            try {
                Files.createDirectories(dir);
                ensureLayoutFile();
                Path tmp = Files.createTempFile(dir, ".index-", ".tmp");
                try {
                    Files.write(tmp, bytes);
                    Files.move(tmp, dir.resolve("index.json"), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write index.json of the OCI layout " + dir, e);
            }
        }
    }

    private Optional<ImageIndex> readIndex() {
        Path index = dir.resolve("index.json");
        try {
            if (Files.size(index) > OciJson.MAX_MANIFEST_BYTES) {
                throw new RegistryException(RegistryException.Reason.LIMIT, index + " is larger than "
                        + OciJson.MAX_MANIFEST_BYTES + " bytes");
            }
            return Optional.of(OciJson.decodeIndex(Files.readAllBytes(index), MediaTypes.OCI_INDEX));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
    }
}
