/** An OCI image-layout directory as a {@link dev.berth.remote.RegistryResolver}. */
package dev.berth.registry.layout;
