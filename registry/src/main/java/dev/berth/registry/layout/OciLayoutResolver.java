package dev.berth.registry.layout;

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
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI image-layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}) as a
 * {@link RegistryResolver}: the offline way to move plugins. A reference's tag is the entry's
 * {@code org.opencontainers.image.ref.name} annotation, as skopeo writes it ({@code oci:<dir>:<tag>}); a
 * reference with a digest resolves by digest. Manifests and configs are stored byte for byte, so a
 * Docker plugin keeps its Docker manifest and plugin config (skopeo's default copy rewrites both and
 * loses the plugin). Reads also work on layouts written by {@code skopeo --preserve-digests}.
 *
 * <p>All I/O goes through {@link Path}, so any file system works. Blobs are written to a temporary file,
 * verified, then moved into place; {@code index.json} is replaced atomically. Thread-safe within one
 * process (writers of the index are serialized); not safe against another process writing the same
 * directory at the same time.
 */
public final class OciLayoutResolver implements RegistryResolver {
    /** The content of the {@code oci-layout} file. */
    static final String LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private final Path dir;
    private final Platform platform;
    private final Object indexLock = new Object();

    private OciLayoutResolver(Path dir, Platform platform) {
        this.dir = dir;
        this.platform = platform;
    }

    /** A resolver over a layout directory (created on the first push), selecting the host's platform from indexes. */
    public static OciLayoutResolver open(Path dir) {
        return open(dir, Platform.host());
    }

    /** A resolver over a layout directory that selects {@code platform} from indexes. */
    public static OciLayoutResolver open(Path dir, Platform platform) {
        return new OciLayoutResolver(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(platform, "platform"));
    }

    /**
     * A location {@code oci:<dir>[:<tag>]}, as skopeo spells it.
     *
     * @param dir the layout directory
     * @param tag the entry's name, if given
     */
    public record Location(Path dir, Optional<String> tag) {
        /** Validates. */
        public Location {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(tag, "tag");
        }

        /**
         * Parses {@code oci:<dir>[:<tag>]}; the last colon separates the tag when what follows it is a valid
         * tag, so directories with colons still work when a tag is given.
         *
         * @param fileSystemPath turns the directory text into a path (e.g. {@code Path::of})
         * @throws IllegalArgumentException if the text does not start with {@code oci:}
         */
        public static Location parse(String text, java.util.function.Function<String, Path> fileSystemPath) {
            Objects.requireNonNull(text, "text");
            if (!text.startsWith("oci:") || text.length() == 4) {
                throw new IllegalArgumentException("not an OCI layout location (oci:<dir>[:<tag>]): " + text);
            }
            String rest = text.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon > 0 && rest.substring(colon + 1).matches("[\\w][\\w.-]{0,127}")) {
                return new Location(fileSystemPath.apply(rest.substring(0, colon)), Optional.of(rest.substring(colon + 1)));
            }
            return new Location(fileSystemPath.apply(rest), Optional.empty());
        }
    }

    /** The directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public Descriptor resolve(Reference reference) {
        return resolve(reference, platform);
    }

    /** Resolves as {@link #resolve(Reference)}, selecting {@code platform} from indexes instead of the configured one. */
    @Override
    public Descriptor resolve(Reference reference, Platform platform) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        ImageIndex index = readIndex().orElseThrow(() -> new NotFoundException(reference + ": no OCI layout at " + dir));
        Descriptor entry = find(index, reference).orElseThrow(() -> new NotFoundException(reference + ": not found in "
                + dir));
        Descriptor bare = new Descriptor(entry.mediaType(), entry.digest(), entry.size(), List.of(), Map.of(),
                entry.platform());
        if (!MediaTypes.isIndex(bare.mediaType())) {
            if (!MediaTypes.isManifest(bare.mediaType())) {
                throw new RegistryException(Reason.MANIFEST, reference + ": entry has unsupported media type "
                        + bare.mediaType());
            }
            return bare;
        }
        ImageIndex nested = OciJson.decodeIndex(readSmall(bare), bare.mediaType());
        return nested.require(platform, reference.toString());
    }

    private static Optional<Descriptor> find(ImageIndex index, Reference reference) {
        if (reference.digest().isPresent()) {
            return index.manifests().stream().filter(d -> d.digest().equals(reference.digest().get())).findFirst();
        }
        String tag = reference.tag().orElse(Reference.DEFAULT_TAG);
        return index.manifests().stream()
                .filter(d -> tag.equals(d.annotations().get(ImageIndex.REF_NAME))).findFirst();
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                Objects.requireNonNull(descriptor, "descriptor");
                return VerifyingInputStream.of(open(descriptor, 0), descriptor);
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                Objects.requireNonNull(descriptor, "descriptor");
                Objects.requireNonNull(resume, "resume");
                return VerifyingInputStream.resuming(open(descriptor, resume.count()), descriptor, resume);
            }
        };
    }

    @Override
    public Pusher pusher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return (descriptor, source) -> push(reference, descriptor, source);
    }

    /** The path of a blob: {@code blobs/<alg>/<hex>}. The digest is validated, so the path stays inside. */
    Path blobPath(Digest digest) {
        return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private InputStream open(Descriptor d, long offset) {
        if (offset > d.size()) {
            throw new IllegalArgumentException("offset " + offset + " is beyond the size " + d.size() + " of " + d.digest());
        }
        try {
            InputStream in = Files.newInputStream(blobPath(d.digest()));
            in.skipNBytes(offset);
            return in;
        } catch (NoSuchFileException e) {
            throw new NotFoundException(d.digest() + ": not found in " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + d.digest() + " from " + dir, e);
        }
    }

    private byte[] readSmall(Descriptor d) {
        if (d.size() > OciJson.MAX_MANIFEST_BYTES) {
            throw new RegistryException(Reason.LIMIT, d.digest() + ": manifest of " + d.size() + " bytes is too large");
        }
        try (InputStream in = VerifyingInputStream.of(open(d, 0), d)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + d.digest() + " from " + dir, e);
        }
    }

    private Optional<ImageIndex> readIndex() {
        Path file = dir.resolve("index.json");
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            if (Files.size(file) > OciJson.MAX_MANIFEST_BYTES) {
                throw new RegistryException(Reason.LIMIT, file + " is larger than " + OciJson.MAX_MANIFEST_BYTES + " bytes");
            }
            return Optional.of(OciJson.decodeIndex(Files.readAllBytes(file), MediaTypes.OCI_INDEX));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private PushResult push(Reference reference, Descriptor d, BlobSource source) {
        Objects.requireNonNull(d, "descriptor");
        Objects.requireNonNull(source, "source");
        try {
            Files.createDirectories(dir);
            Path layout = dir.resolve("oci-layout");
            if (!Files.exists(layout)) {
                writeAtomically(layout, LAYOUT_FILE.getBytes(StandardCharsets.UTF_8));
            }
            Path target = blobPath(d.digest());
            PushResult.Outcome outcome;
            if (Files.exists(target) && Files.size(target) == d.size()) {
                outcome = PushResult.Outcome.ALREADY_EXISTS;
            } else {
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(target.getParent(), ".ingest-", ".tmp");
                try {
                    try (InputStream in = VerifyingInputStream.of(source.open(), d);
                         OutputStream out = Files.newOutputStream(tmp)) {
                        in.transferTo(out);
                    }
                    move(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                outcome = PushResult.Outcome.UPLOADED;
            }
            if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
                tag(reference, d);
            }
            return new PushResult(d, outcome);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + d.digest() + " into " + dir, e);
        }
    }

    private void tag(Reference reference, Descriptor d) throws IOException {
        synchronized (indexLock) {
            ImageIndex index = readIndex().orElse(ImageIndex.of(List.of()));
            List<Descriptor> entries = new ArrayList<>();
            Optional<String> name = reference.tag();
            for (Descriptor e : index.manifests()) {
                boolean sameName = name.isPresent() && name.get().equals(e.annotations().get(ImageIndex.REF_NAME));
                boolean sameUnnamed = name.isEmpty() && e.digest().equals(d.digest())
                        && !e.annotations().containsKey(ImageIndex.REF_NAME);
                if (!sameName && !sameUnnamed) {
                    entries.add(e);
                }
            }
            Map<String, String> annotations = new HashMap<>();
            name.ifPresent(n -> annotations.put(ImageIndex.REF_NAME, n));
            entries.add(new Descriptor(d.mediaType(), d.digest(), d.size(), List.of(), annotations, d.platform()));
            writeAtomically(dir.resolve("index.json"), OciJson.encodeIndex(index.withManifests(entries)));
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
