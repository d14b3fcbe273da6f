package dev.berth.remote;

import dev.berth.oci.Descriptor;

/**
 * Writes blobs and manifests into one repository. Blobs are pushed before the manifests that name
 * them. A descriptor whose media type is a manifest or an index goes to the manifest endpoint, under the
 * pusher's tag (or its digest); anything else is a blob.
 *
 * <p>Thread-safe: independent blobs may be pushed concurrently.
 */
public interface Pusher {
    /**
     * Pushes content unless the remote has it already. The source is opened at most a few times (once
     * per attempt) and each stream is closed by the pusher; its bytes must match the descriptor's size
     * and digest, or the push fails without the content becoming visible.
     *
     * @return what the remote now holds and how it got there
     * @throws RegistryException              if the remote refused or stayed unavailable
     * @throws dev.berth.exception.DigestMismatchException if the source's bytes do not match the descriptor
     */
    PushResult push(Descriptor descriptor, BlobSource source);
}
