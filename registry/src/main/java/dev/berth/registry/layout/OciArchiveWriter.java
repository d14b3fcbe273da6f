package dev.berth.registry.layout;

import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes an OCI archive (the tar skopeo and containerd call {@code oci-archive}) to a stream, as the target of
 * pushes: {@code manager.export(names, writer)}, then {@link #finish()}. Each pushed blob becomes
 * {@code blobs/<alg>/<hex>} with exactly the bytes pushed (verified against the descriptor while they are
 * copied, never held in memory; a blob pushed twice is written once); each pushed manifest becomes an entry
 * of {@code index.json} annotated, as containerd and Docker do, with its tag as
 * {@code org.opencontainers.image.ref.name} and its full reference as {@value OciArchive#IMAGE_NAME}. A second
 * manifest under the same full reference replaces the first entry.
 *
 * <p>The output is deterministic: same pushes, same bytes (ustar headers, mode 0644/0755, owner 0, time 0).
 * After a failed push the stream holds a partial entry and the writer refuses everything else: discard the
 * output. Thread-safe (pushes are serialized); the stream is not closed.
 */
public final class OciArchiveWriter implements RegistryResolver {
    private final OutputStream out;
    private final Set<String> written = new HashSet<>();
    private final Map<String, Descriptor> entries = new LinkedHashMap<>();
    private boolean broken;
    private boolean finished;

    private OciArchiveWriter(OutputStream out) {
        this.out = out;
    }

    /** A writer onto {@code out} (buffer it; the writer writes 512-byte blocks). */
    public static OciArchiveWriter to(OutputStream out) {
        return new OciArchiveWriter(Objects.requireNonNull(out, "out"));
    }

    /** Refuses: nothing can be read back from a writer. */
    @Override
    public Descriptor resolve(Reference reference) {
        throw new NotFoundException(reference + ": an archive being written cannot be read");
    }

    /** Refuses: nothing can be read back from a writer. */
    @Override
    public Fetcher fetcher(Reference reference) {
        throw new UnsupportedOperationException("an archive being written cannot be read");
    }

    @Override
    public Pusher pusher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        return (descriptor, source) -> push(reference, descriptor, source);
    }

    private synchronized PushResult push(Reference reference, Descriptor d, BlobSource source) {
        Objects.requireNonNull(d, "descriptor");
        Objects.requireNonNull(source, "source");
        checkUsable();
        PushResult.Outcome outcome = PushResult.Outcome.ALREADY_EXISTS;
        String name = OciArchive.blobName(d.digest());
        if (!written.contains(name)) {
            broken = true; // until the entry is complete
            try {
                directories(d.digest().algorithm());
                out.write(TarIndex.header(name, d.size(), false));
                try (InputStream in = VerifyingInputStream.of(source.open(), d)) {
                    in.transferTo(out);
                }
                out.write(new byte[TarIndex.padding(d.size())]);
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + d.digest() + " into the archive", e);
            }
            written.add(name);
            broken = false;
            outcome = PushResult.Outcome.UPLOADED;
        }
        if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(OciArchive.IMAGE_NAME, reference.toString());
            annotations.put(ImageIndex.REF_NAME, reference.tag().orElse(Reference.DEFAULT_TAG));
            String key = reference.digest().isPresent() ? d.digest().toString() : reference.toString();
            entries.remove(key); // a re-push moves the name to the end, as a registry's newest tag
            entries.put(key, new Descriptor(d.mediaType(), d.digest(), d.size(), List.of(), annotations,
                    d.platform()));
        }
        return new PushResult(d, outcome);
    }

    private void directories(String algorithm) throws IOException {
        for (String dir : List.of("blobs", "blobs/" + algorithm)) {
            if (written.add(dir + "/")) {
                out.write(TarIndex.header(dir + "/", 0, true));
            }
        }
    }

    /**
     * Writes {@code oci-layout}, {@code index.json} and the tar's end, and flushes. The writer takes no more
     * pushes afterwards.
     *
     * @throws IllegalStateException after a failed push, or when called twice
     */
    public synchronized void finish() {
        checkUsable();
        finished = true;
        try {
            file("oci-layout", OciLayoutResolver.LAYOUT_FILE.getBytes(StandardCharsets.UTF_8));
            file("index.json", OciJson.encodeIndex(ImageIndex.of(new ArrayList<>(entries.values()))));
            out.write(new byte[1024]);
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw new UncheckedIOException("finishing the archive", e);
        }
    }

    private void file(String name, byte[] bytes) throws IOException {
        out.write(TarIndex.header(name, bytes.length, false));
        out.write(bytes);
        out.write(new byte[TarIndex.padding(bytes.length)]);
    }

    private void checkUsable() {
        if (broken) {
            throw new IllegalStateException("an earlier write into the archive failed; the output is incomplete");
        }
        if (finished) {
            throw new IllegalStateException("the archive is finished");
        }
    }
}
