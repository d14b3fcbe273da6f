package dev.berth.client;

import java.util.Objects;

/**
 * A volume as a VolumeDriver plugin reports it.
 *
 * @param name       the volume's name
 * @param mountpoint the path inside the plugin where it is mounted, empty when not reported
 * @param createdAt  the creation time as the plugin wrote it, empty when not reported
 */
public record Volume(String name, String mountpoint, String createdAt) {
    /** Checks. */
    public Volume {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
