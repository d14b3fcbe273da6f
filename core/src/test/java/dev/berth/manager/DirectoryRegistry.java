package dev.berth.manager;

import dev.berth.exception.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A read-only registry of one plugin whose blobs are files ({@code <dir>/<hex>}), for tests that need
 * blobs larger than memory. The manifest's digest is in {@code <dir>/manifest}.
 */
final class DirectoryRegistry implements RegistryResolver {
    private final Path dir;

    DirectoryRegistry(Path dir) {
        this.dir = dir;
    }

    @Override
    public Descriptor resolve(Reference reference) {
        try {
            String digest = Files.readString(dir.resolve("manifest")).strip();
            Path file = dir.resolve(digest.substring("sha256:".length()));
            return Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, dev.berth.oci.Digest.parse(digest), Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor d) {
                return VerifyingInputStream.of(open(d, 0), d);
            }

            @Override
            public InputStream fetch(Descriptor d, Digester resume) {
                return VerifyingInputStream.resuming(open(d, resume.count()), d, resume);
            }
        };
    }

    private InputStream open(Descriptor d, long offset) {
        Path file = dir.resolve(d.digest().hex());
        if (!Files.exists(file)) {
            throw new NotFoundException(d.digest() + ": not found");
        }
        try {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset);
            return in;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Pusher pusher(Reference reference) {
        throw new UnsupportedOperationException("read-only");
    }
}
