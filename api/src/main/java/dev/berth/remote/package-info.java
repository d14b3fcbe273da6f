/**
 * Where plugins come from and go to: the {@link dev.berth.remote.RegistryResolver} SPI, modelled on
 * containerd's remotes (resolve a reference to a descriptor, fetch blobs by descriptor, push blobs by
 * descriptor). Implementations: an OCI distribution client over HTTP and an OCI image-layout
 * directory (module {@code dev.berth.registry}), an in-memory registry (testkit).
 */
package dev.berth.remote;
