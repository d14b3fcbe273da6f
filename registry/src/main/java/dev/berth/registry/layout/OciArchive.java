package dev.berth.registry.layout;

import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.ArchiveException.Kind;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A single-file OCI image layout, the tar skopeo and containerd call {@code oci-archive} ({@code oci-layout},
 * {@code index.json}, {@code blobs/<alg>/<hex>}), as a read-only {@link RegistryResolver}: install from it
 * with {@code manager.install(reference).from(archive)}. Nothing is unpacked: {@link #open(Path)} walks the
 * tar headers once, and each blob is later streamed from its offset in the file and verified against its
 * descriptor while it is read.
 *
 * <p><b>What is refused</b>, before anything is returned: entries other than files and directories (links,
 * devices, FIFOs), names that are absolute or climb with {@code ..}, duplicate names, damaged headers,
 * truncated data, oversized extended headers (all {@link ArchiveException}); a missing or unknown
 * {@code oci-layout}, a missing, oversized or invalid {@code index.json}, and index entries that are not
 * manifests or indexes, carry {@code urls}, or name a blob the archive does not hold with that size
 * ({@link RegistryException}). A blob whose bytes do not match its digest fails the read that meets it
 * ({@link dev.berth.exception.DigestMismatchException}). Other files (such as Docker's {@code manifest.json})
 * are ignored. Gzip-compressed archives are refused with a message saying so.
 *
 * <p><b>Names.</b> An entry is found by digest; by its full name, which is its {@value #IMAGE_NAME}
 * annotation (as containerd and Docker write it) or a {@code org.opencontainers.image.ref.name} that is a
 * full reference; and otherwise by tag, matched against {@code org.opencontainers.image.ref.name} (as
 * skopeo's {@code oci-archive:FILE:TAG}). The first match in index order wins.
 *
 * <p>Thread-safe: every read opens its own channel. Works on any {@link java.nio.file.FileSystem}.
 */
public final class OciArchive implements RegistryResolver, Closeable {
    /** The annotation containerd and Docker put the full image name in; {@link OciArchiveWriter} too. */
    public static final String IMAGE_NAME = "io.containerd.image.name";

    private final Path file;
    private final Optional<Path> spool;
    private final Platform platform;
    private final Map<String, TarIndex.Entry> files;
    private final ImageIndex index;

    /**
     * One manifest (or index) the archive names in its {@code index.json}.
     *
     * @param descriptor the index entry, annotations included
     * @param refName    its {@code org.opencontainers.image.ref.name}, if any
     * @param imageName  its full name: {@value #IMAGE_NAME}, or a ref.name that parses as a reference with a
     *                   repository path, if either
     */
    public record Entry(Descriptor descriptor, Optional<String> refName, Optional<String> imageName) {
        /** Validates. */
        public Entry {
            Objects.requireNonNull(descriptor, "descriptor");
            Objects.requireNonNull(refName, "refName");
            Objects.requireNonNull(imageName, "imageName");
        }
    }

    private OciArchive(Path file, Optional<Path> spool, Platform platform, Map<String, TarIndex.Entry> files,
                       ImageIndex index) {
        this.file = file;
        this.spool = spool;
        this.platform = platform;
        this.files = files;
        this.index = index;
    }

    /**
     * Opens and checks an archive, selecting the host's platform from indexes.
     *
     * @throws NotFoundException  when the file does not exist
     * @throws ArchiveException   for a tar that is malformed or holds what an OCI archive must not
     * @throws RegistryException  for a missing or invalid {@code oci-layout} or {@code index.json}
     */
    public static OciArchive open(Path file) {
        return open(file, Platform.host());
    }

    /** As {@link #open(Path)}, selecting {@code platform} from indexes. */
    public static OciArchive open(Path file, Platform platform) {
        return open(file, Optional.empty(), platform);
    }

    /**
     * Reads an archive from a stream, which is copied (streamed, never held in memory) into a temporary
     * file in {@code spoolDir} first, because a tar's {@code index.json} may come after its blobs. The file is
     * deleted by {@link #close()}, or at once if the archive is refused. The stream is read to its end and
     * not closed.
     *
     * @throws UncheckedIOException when the stream cannot be read or the spool file written
     */
    public static OciArchive read(InputStream in, Path spoolDir) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Path tmp;
        try {
            tmp = Files.createTempFile(spoolDir, ".oci-archive-", ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spool file in " + spoolDir, e);
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            return open(tmp, Optional.of(tmp), Platform.host());
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new UncheckedIOException("reading an OCI archive from a stream", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    private static void deleteQuietly(Path file, Throwable failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    private static OciArchive open(Path file, Optional<Path> spool, Platform platform) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(platform, "platform");
        Map<String, TarIndex.Entry> files;
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            checkNotCompressed(ch, file);
            files = TarIndex.read(ch);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("OCI archive " + file + " not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading OCI archive " + file, e);
        }
        OciArchive archive = new OciArchive(file, spool, platform, files, ImageIndex.of(List.of()));
        archive.checkLayoutFile();
        ImageIndex index = OciJson.decodeIndex(archive.readFile("index.json", OciJson.MAX_MANIFEST_BYTES),
                MediaTypes.OCI_INDEX);
        for (Descriptor d : index.manifests()) {
            archive.checkEntry(d);
        }
        return new OciArchive(file, spool, platform, files, index);
    }

    private static void checkNotCompressed(SeekableByteChannel ch, Path file) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(4);
        while (magic.hasRemaining() && ch.read(magic) >= 0) {
            // fill
        }
        byte[] m = magic.array();
        boolean gzip = magic.position() >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b;
        boolean zstd = magic.position() == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5
                && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd;
        if (gzip || zstd) {
            throw new ArchiveException(Kind.UNSUPPORTED, file + " is " + (gzip ? "gzip" : "zstd")
                    + "-compressed; an OCI archive is a plain tar (decompress it first)");
        }
        ch.position(0);
    }

    private void checkLayoutFile() {
        String text = new String(readFile("oci-layout", 4096), StandardCharsets.UTF_8);
        if (!text.replaceAll("\\s", "").contains("\"imageLayoutVersion\":\"1.0.0\"")) {
            throw new RegistryException(Reason.MANIFEST, file + ": oci-layout is not an OCI image layout 1.0.0 header: "
                    + (text.length() > 100 ? text.substring(0, 100) + "..." : text));
        }
    }

    private void checkEntry(Descriptor d) {
        if (!MediaTypes.isManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
            throw new RegistryException(Reason.MANIFEST, file + ": index.json lists " + d.digest()
                    + " with the unsupported media type " + d.mediaType());
        }
        if (!d.urls().isEmpty()) {
            throw new RegistryException(Reason.MANIFEST, file + ": index.json points outside the archive (urls of "
                    + d.digest() + ")");
        }
        TarIndex.Entry blob = files.get(blobName(d.digest()));
        if (blob == null) {
            throw new RegistryException(Reason.MANIFEST, file + ": index.json lists " + d.digest()
                    + ", which the archive does not hold");
        }
        if (blob.size() != d.size()) {
            throw new RegistryException(Reason.SIZE, file + ": index.json says " + d.digest() + " has " + d.size()
                    + " bytes; the archive holds " + blob.size());
        }
        if (d.size() > OciJson.MAX_MANIFEST_BYTES) {
            throw new RegistryException(Reason.LIMIT, file + ": manifest " + d.digest() + " of " + d.size()
                    + " bytes is larger than " + OciJson.MAX_MANIFEST_BYTES);
        }
    }

    /** The archive file. */
    public Path file() {
        return file;
    }

    /** The manifests and indexes {@code index.json} lists, in its order. */
    public List<Entry> entries() {
        return index.manifests().stream().map(d -> new Entry(d,
                Optional.ofNullable(d.annotations().get(ImageIndex.REF_NAME)), imageName(d))).toList();
    }

    private static Optional<String> imageName(Descriptor d) {
        String name = d.annotations().get(IMAGE_NAME);
        if (name != null) {
            return Optional.of(name);
        }
        String ref = d.annotations().get(ImageIndex.REF_NAME);
        if (ref != null && ref.contains("/")) {
            try {
                Reference.parse(ref);
                return Optional.of(ref);
            } catch (InvalidReferenceException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public Descriptor resolve(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        Descriptor entry = find(reference).orElseThrow(() -> new NotFoundException(reference + ": not found in "
                + file));
        Descriptor bare = new Descriptor(entry.mediaType(), entry.digest(), entry.size(), List.of(), Map.of(),
                entry.platform());
        if (!MediaTypes.isIndex(bare.mediaType())) {
            return bare;
        }
        ImageIndex nested;
        try (InputStream in = fetch(bare, 0)) {
            nested = OciJson.decodeIndex(in.readAllBytes(), bare.mediaType());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + bare.digest() + " from " + file, e);
        }
        return nested.select(platform).orElseThrow(() -> new RegistryException(Reason.PLATFORM, reference
                + ": no manifest for platform " + platform));
    }

    private Optional<Descriptor> find(Reference reference) {
        List<Descriptor> all = index.manifests();
        if (reference.digest().isPresent()) {
            return all.stream().filter(d -> d.digest().equals(reference.digest().get())).findFirst();
        }
        String full = reference.withDefaultTag().toString();
        Optional<Descriptor> byName = all.stream().filter(d -> imageName(d).map(n -> sameName(n, full)).orElse(false))
                .findFirst();
        if (byName.isPresent()) {
            return byName;
        }
        String tag = reference.tag().orElse(Reference.DEFAULT_TAG);
        return all.stream().filter(d -> tag.equals(d.annotations().get(ImageIndex.REF_NAME))).findFirst();
    }

    private static boolean sameName(String annotated, String full) {
        try {
            return Reference.parse(annotated).withDefaultTag().toString().equals(full);
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                Objects.requireNonNull(descriptor, "descriptor");
                return VerifyingInputStream.of(OciArchive.this.fetch(descriptor, 0), descriptor);
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                Objects.requireNonNull(descriptor, "descriptor");
                Objects.requireNonNull(resume, "resume");
                return VerifyingInputStream.resuming(OciArchive.this.fetch(descriptor, resume.count()), descriptor,
                        resume);
            }
        };
    }

    /** Refuses: an archive is read-only; write one with {@link OciArchiveWriter}. */
    @Override
    public Pusher pusher(Reference reference) {
        throw new UnsupportedOperationException(file + " is read-only; write archives with OciArchiveWriter");
    }

    /** The raw bytes of a blob from {@code offset}, bounded to its entry; not verified. */
    private InputStream fetch(Descriptor d, long offset) {
        TarIndex.Entry blob = files.get(blobName(d.digest()));
        if (blob == null) {
            throw new NotFoundException(d.digest() + ": not found in " + file);
        }
        if (blob.size() != d.size()) {
            throw new RegistryException(Reason.SIZE, d.digest() + ": the archive holds " + blob.size()
                    + " bytes, the descriptor says " + d.size());
        }
        if (offset > blob.size()) {
            throw new IllegalArgumentException("offset " + offset + " is beyond the size " + blob.size() + " of "
                    + d.digest());
        }
        return slice(blob, offset);
    }

    private InputStream slice(TarIndex.Entry entry, long offset) {
        SeekableByteChannel ch = null;
        try {
            ch = Files.newByteChannel(file);
            ch.position(entry.offset() + offset);
            return new BoundedInputStream(Channels.newInputStream(ch), entry.size() - offset);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("reading " + entry.name() + " from " + file, e);
        }
    }

    private byte[] readFile(String name, int max) {
        TarIndex.Entry entry = files.get(name);
        if (entry == null) {
            throw new RegistryException(Reason.MANIFEST, file + " is not an OCI archive: it has no " + name);
        }
        if (entry.size() > max) {
            throw new RegistryException(Reason.LIMIT, file + ": " + name + " of " + entry.size()
                    + " bytes is larger than the limit of " + max);
        }
        try (InputStream in = slice(entry, 0)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " from " + file, e);
        }
    }

    static String blobName(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    /** Deletes the spool file of {@link #read}; nothing for an archive opened from a path. Idempotent. */
    @Override
    public void close() {
        if (spool.isPresent()) {
            try {
                Files.deleteIfExists(spool.get());
            } catch (IOException e) {
                throw new UncheckedIOException("deleting " + spool.get(), e);
            }
        }
    }

    /** At most {@code remaining} bytes of {@code in}; closing it closes {@code in}. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return len == 0 ? 0 : -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
