package dev.berth.remote;

import dev.berth.exception.PlatformNotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.util.List;

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
     * @throws PlatformNotFoundException   when an index has no entry for the resolver's platform
     * @throws RegistryException           for an invalid or unsupported manifest, a refused redirect,
     *                                     failed authentication, or a remote that stayed unavailable
     */
    Descriptor resolve(Reference reference);

    /**
     * {@link #resolve(Reference)}, selecting {@code platform} (instead of the resolver's own) from
     * manifest lists and OCI indexes. The plugin manager calls this when a platform was asked for
     * ({@code PluginManager.Builder.platform}, an install's {@code platform}).
     *
     * <p>Berth's resolvers implement it. The default, for resolvers written before it existed, resolves
     * as {@link #resolve(Reference)} does and refuses an entry whose platform does not run on
     * {@code platform}, so a resolver that cannot choose never hands back the wrong one silently; a
     * returned index is left for the caller to select from.
     *
     * @throws PlatformNotFoundException when no entry runs on {@code platform}
     */
    default Descriptor resolve(Reference reference, Platform platform) {
        Descriptor d = resolve(reference);
        if (d.platform().isPresent() && !platform.matches(d.platform().get())) {
            throw new PlatformNotFoundException(reference.toString(), platform, List.of(d.platform().get()));
        }
        return d;
    }

    /** A fetcher for blobs and manifests of the reference's repository. Never null; cheap. */
    Fetcher fetcher(Reference reference);

    /**
     * A pusher into the reference's repository; manifests are pushed under the reference's tag (or by
     * digest when it has none). Never null; cheap.
     */
    Pusher pusher(Reference reference);
}
