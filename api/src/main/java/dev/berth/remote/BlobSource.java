package dev.berth.remote;

import dev.berth.oci.Reference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the bytes of a push come from. A source can be opened more than once (a retried upload starts
 * again); each stream is closed by whoever opened it.
 */
public interface BlobSource {
    /** Opens the content from its first byte. */
    InputStream open() throws IOException;

    /**
     * The repository of the same registry the blob was pulled from, if known: a registry pusher then
     * asks for a cross-repository mount instead of uploading. Empty by default.
     */
    default Optional<Reference> mountFrom() {
        return Optional.empty();
    }

    /** Bytes in memory. The array is not copied: don't change it. */
    static BlobSource of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return () -> new ByteArrayInputStream(bytes);
    }

    /** A file. */
    static BlobSource of(Path file) {
        Objects.requireNonNull(file, "file");
        return () -> Files.newInputStream(file);
    }

    /** This source, with a repository to mount from. */
    default BlobSource withMountFrom(Reference repository) {
        Objects.requireNonNull(repository, "repository");
        BlobSource self = this;
        return new BlobSource() {
            @Override
            public InputStream open() throws IOException {
                return self.open();
            }

            @Override
            public Optional<Reference> mountFrom() {
                return Optional.of(repository);
            }
        };
    }
}
