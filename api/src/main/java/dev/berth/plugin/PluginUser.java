package dev.berth.plugin;

/**
 * The {@code User} block of a plugin config. Docker parses and stores it but never applies it to the
 * plugin's process; Berth keeps it for round-trips only.
 *
 * @param uid user ID, 0 when absent (unsigned 32-bit in Docker)
 * @param gid group ID, 0 when absent (unsigned 32-bit in Docker)
 */
public record PluginUser(long uid, long gid) {
    /** {@code {}}. */
    public static final PluginUser EMPTY = new PluginUser(0, 0);

    /** Checks the range. */
    public PluginUser {
        if (uid < 0 || uid > 0xFFFF_FFFFL || gid < 0 || gid > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("UID and GID must be unsigned 32-bit values: " + uid + ", " + gid);
        }
    }
}
