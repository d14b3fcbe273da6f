package dev.berth;

import dev.berth.oci.Platform;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link PluginManager#create(String, java.io.InputStream, CreateOptions)} builds a plugin. Immutable;
 * start from {@link #defaults()} and change what you need with the {@code with...} methods (a class, not a
 * record, so options can be added without breaking callers).
 */
public final class CreateOptions {
    private static final CreateOptions DEFAULTS = new CreateOptions(Optional.empty());

    private final Optional<Platform> platform;

    private CreateOptions(Optional<Platform> platform) {
        this.platform = platform;
    }

    /** What {@code docker plugin create} does: no platform recorded. */
    public static CreateOptions defaults() {
        return DEFAULTS;
    }

    /**
     * These options with the platform the plugin's rootfs is built for ({@code berth create --platform}).
     * It is recorded in the config blob as the OCI image config records it ({@code architecture},
     * {@code os}, {@code variant} after Docker's fields, which Docker ignores on install), and it is the
     * platform {@link PluginManager#pushIndex} lists the plugin under.
     */
    public CreateOptions withPlatform(Platform value) {
        return new CreateOptions(Optional.of(Objects.requireNonNull(value, "platform")));
    }

    /** The platform to record, if any. */
    public Optional<Platform> platform() {
        return platform;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CreateOptions other && platform.equals(other.platform);
    }

    @Override
    public int hashCode() {
        return platform.hashCode();
    }

    @Override
    public String toString() {
        return "CreateOptions[platform=" + platform.map(Platform::toString).orElse("none") + "]";
    }
}
