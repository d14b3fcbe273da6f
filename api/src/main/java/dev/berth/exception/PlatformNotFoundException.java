package dev.berth.exception;

import dev.berth.oci.Platform;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A manifest list or OCI index has no entry for the wanted platform. The message and
 * {@link #available()} list the platforms it does hold, so the caller can pick one.
 */
public class PlatformNotFoundException extends NotFoundException {
    private static final long serialVersionUID = 1L;

    private final transient Platform requested;
    private final transient List<Platform> available;

    /**
     * @param subject   the reference whose index was searched
     * @param requested the platform asked for
     * @param available the platforms of the index's entries, in document order (entries without a
     *                  platform are left out)
     */
    public PlatformNotFoundException(String subject, Platform requested, List<Platform> available) {
        super(subject + ": no manifest for platform " + Objects.requireNonNull(requested, "requested")
                + " in the index (available: " + (available.isEmpty() ? "none"
                : available.stream().map(Platform::toString).collect(Collectors.joining(", "))) + ")");
        this.requested = requested;
        this.available = List.copyOf(available);
    }

    /** The platform asked for. */
    public Platform requested() {
        return requested;
    }

    /** The platforms the index holds, in document order. */
    public List<Platform> available() {
        return available;
    }
}
