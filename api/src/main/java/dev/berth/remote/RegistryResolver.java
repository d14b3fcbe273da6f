package dev.berth.remote;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Reference;

/**
 * Resolves references and hands out fetchers and pushers for one kind of remote: a registry, an OCI
 * image-layout directory, a fake. Transport, authentication, retries and mirrors stay behind it.
 *
 * <p>Implementations are thread-safe; fetchers and pushers may be used from several threads.
 */
public interface RegistryResolver {
    /**
     * Resolves a reference to the descriptor of a single-platform manifest. A reference that names a
     * manifest list or an OCI index resolves to the entry for the resolver's platform (the host's unless
     * configured), with that entry's platform set on the descriptor.
     *
     * @throws dev.berth.exception.NotFoundException if the repository or tag does not exist
     * @throws RegistryException           for an invalid or unsupported manifest, no matching platform,
     *                                     a refused redirect, failed authentication, or a remote that
     *                                     stayed unavailable
     */
    Descriptor resolve(Reference reference);

    /** A fetcher for blobs and manifests of the reference's repository. Never null; cheap. */
    Fetcher fetcher(Reference reference);

    /**
     * A pusher into the reference's repository; manifests are pushed under the reference's tag (or by
     * digest when it has none). Never null; cheap.
     */
    Pusher pusher(Reference reference);
}
