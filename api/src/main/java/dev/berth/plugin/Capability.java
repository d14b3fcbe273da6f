package dev.berth.plugin;

import dev.berth.exception.InvalidInputException;
import java.util.Locale;
import java.util.Objects;

/**
 * A plugin interface type such as {@code docker.volumedriver/1.0}: a prefix, a capability and a
 * version.
 *
 * <p>Parsing follows the corrected algorithm of current Docker, not the v20 one: the string is split
 * at its first {@code /} into a left part and the version, and the left part at its <em>last</em>
 * {@code .} into prefix and capability. Without a dot the prefix is empty and the capability is the
 * whole left part. (Docker v20 to v28 dropped the first character of the capability in that case,
 * turning {@code volumedriver/1.0} into {@code olumedriver}; Berth does not copy that bug.)
 *
 * @param prefix     the namespace, {@code docker} for Docker's own capabilities; may be empty
 * @param capability the capability, e.g. {@code volumedriver}; may be empty
 * @param version    the version, e.g. {@code 1.0}; may be empty
 */
public record Capability(String prefix, String capability, String version) {
    /** Docker's prefix for the capabilities the daemon itself consumes. */
    public static final String DOCKER_PREFIX = "docker";

    /** Checks for nulls. */
    public Capability {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(version, "version");
    }

    /**
     * Parses {@code <prefix>.<capability>/<version>}.
     *
     * @throws InvalidInputException if the text is null-free but empty
     */
    public static Capability parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new InvalidInputException(text, "\"\" is not a plugin interface type");
        }
        int slash = text.indexOf('/');
        String left = slash >= 0 ? text.substring(0, slash) : text;
        String version = slash >= 0 ? text.substring(slash + 1) : "";
        int dot = left.lastIndexOf('.');
        if (dot < 0) {
            return new Capability("", left, version);
        }
        return new Capability(left.substring(0, dot), left.substring(dot + 1), version);
    }

    /** The type Docker's daemon registers handlers under: {@code docker.<lower-cased capability>/1.0}. */
    public static Capability docker(String capability) {
        return new Capability(DOCKER_PREFIX, capability.toLowerCase(Locale.ROOT), "1.0");
    }

    /**
     * Whether this type provides the requested capability in Docker's sense: the prefix is
     * {@code docker} and the capability equals the lower-cased request; the version is ignored.
     */
    public boolean provides(String requestedCapability) {
        return DOCKER_PREFIX.equals(prefix) && capability.equals(requestedCapability.toLowerCase(Locale.ROOT));
    }

    /** {@code prefix.capability/version}, always with both separators, as Docker serializes it. */
    @Override
    public String toString() {
        return prefix + "." + capability + "/" + version;
    }
}
