/**
 * The OCI and Docker distribution vocabulary: {@link dev.berth.oci.Reference} with docker/distribution's
 * grammar and normalization, {@link dev.berth.oci.Digest} and its streaming
 * {@link dev.berth.oci.Digester}, {@link dev.berth.oci.Descriptor}, {@link dev.berth.oci.Manifest},
 * {@link dev.berth.oci.ImageIndex}, {@link dev.berth.oci.MediaTypes} and {@link dev.berth.oci.Platform}.
 * Values only: encoding them is the codec's job, in Berth's own modules.
 *
 * <p>Module {@code berth-api}: anything may depend on it.
 */
package dev.berth.oci;
