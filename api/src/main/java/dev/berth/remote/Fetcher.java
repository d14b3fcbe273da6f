package dev.berth.remote;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads blobs and manifests of one repository by descriptor. Every stream handed out is verified as it
 * flows: it fails with {@link RegistryException} ({@link RegistryException.Reason#SIZE}) as soon as
 * more bytes arrive than the descriptor's size, and with {@link dev.berth.exception.DigestMismatchException} at the
 * end if the bytes do not hash to the descriptor's digest. A consumer must therefore read to the end
 * (until {@code read} returns -1) before trusting the data. The caller closes the stream.
 *
 * <p>Thread-safe; each stream belongs to one thread.
 */
public interface Fetcher {
    /**
     * Opens the content of a descriptor, verified.
     *
     * @throws dev.berth.exception.NotFoundException if the remote does not have it
     * @throws RegistryException           if the remote refused or stayed unavailable
     */
    InputStream fetch(Descriptor descriptor);

    /**
     * Continues a download that stopped after {@code resume.count()} bytes: the stream yields the bytes
     * from that offset on, adds them to {@code resume} (which must hold the digest state of the bytes
     * before the offset) and verifies the digest of the whole at the end.
     *
     * @throws IllegalArgumentException if the offset is beyond the descriptor's size
     */
    InputStream fetch(Descriptor descriptor, Digester resume);

    /**
     * Reads a whole small blob (a manifest or a config) into memory, verified.
     *
     * @param maxBytes the largest size accepted; a descriptor that claims more is refused before any
     *                 request ({@link RegistryException.Reason#LIMIT})
     */
    default byte[] fetchBytes(Descriptor descriptor, int maxBytes) {
        Objects.requireNonNull(descriptor, "descriptor");
        if (descriptor.size() > maxBytes) {
            throw new RegistryException(RegistryException.Reason.LIMIT, descriptor.digest() + ": size "
                    + descriptor.size() + " exceeds the limit of " + maxBytes + " bytes");
        }
        try (InputStream in = fetch(descriptor)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "reading " + descriptor.digest()
                    + " failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
