package dev.berth.remote;

import dev.berth.oci.Descriptor;
import java.util.Objects;

/**
 * The outcome of one push.
 *
 * @param descriptor the content now in the remote (digest and size as the remote confirmed them)
 * @param outcome    how it got there
 */
public record PushResult(Descriptor descriptor, Outcome outcome) {
    /** Validates. */
    public PushResult {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** How content reached the remote. */
    public enum Outcome {
        /** The bytes were uploaded. */
        UPLOADED,
        /** The remote had the content already; nothing was sent. */
        ALREADY_EXISTS,
        /** The remote linked the blob from another repository of the same registry. */
        MOUNTED
    }
}
