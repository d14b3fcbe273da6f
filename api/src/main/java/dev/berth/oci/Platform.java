package dev.berth.oci;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI platform: what a manifest in an index runs on.
 *
 * @param os           the operating system, e.g. {@code linux}
 * @param architecture the CPU architecture in Go's naming, e.g. {@code amd64}
 * @param variant      the CPU variant, e.g. {@code v8}, or empty
 * @param osVersion    the OS version (Windows), or empty
 * @param osFeatures   required OS features, never null
 */
public record Platform(String os, String architecture, Optional<String> variant, Optional<String> osVersion,
                       List<String> osFeatures) {
    /** Validates and copies. */
    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(osVersion, "osVersion");
        osFeatures = List.copyOf(osFeatures);
    }

    /** A platform with only an OS and an architecture. */
    public static Platform of(String os, String architecture) {
        return new Platform(os, architecture, Optional.empty(), Optional.empty(), List.of());
    }

    /** A platform with a variant. */
    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, Optional.of(variant), Optional.empty(), List.of());
    }

    /**
     * Parses {@code os/architecture[/variant]}, as {@code docker --platform} and containerd spell it:
     * lower-cased, with the usual aliases normalized to Go's naming ({@code x86_64} is {@code amd64},
     * {@code aarch64} is {@code arm64}).
     *
     * @throws InvalidPlatformException for any other shape, or a part outside {@code [a-z0-9._-]}
     */
    public static Platform parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new InvalidPlatformException(text, "expected os/architecture[/variant]");
        }
        for (String part : parts) {
            if (!part.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                throw new InvalidPlatformException(text, "\"" + part + "\" is not a valid platform component");
            }
        }
        String arch = switch (parts[1]) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> parts[1];
        };
        return parts.length == 3 ? of(parts[0], arch, parts[2]) : of(parts[0], arch);
    }

    /**
     * The platform of the running JVM in Go's naming (the naming registries use): {@code linux/amd64},
     * {@code linux/arm64/v8}, ...
     */
    public static Platform host() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String goOs = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin"
                : os.startsWith("windows") ? "windows" : os;
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> of(goOs, "amd64");
            case "aarch64", "arm64" -> of(goOs, "arm64", "v8");
            case "x86", "i386", "i686" -> of(goOs, "386");
            case "arm" -> of(goOs, "arm", "v7");
            case "ppc64le" -> of(goOs, "ppc64le");
            case "s390x" -> of(goOs, "s390x");
            case "riscv64" -> of(goOs, "riscv64");
            default -> of(goOs, arch);
        };
    }

    /**
     * Whether a manifest for {@code candidate} can run here: same OS and architecture, and same variant
     * when both name one (an index entry without a variant matches any).
     */
    public boolean matches(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        return variant.isEmpty() || candidate.variant.isEmpty() || variant.equals(candidate.variant);
    }

    /** This platform without its variant, OS version and features: {@code os/architecture}. */
    public Platform withoutVariant() {
        return of(os, architecture);
    }

    /** {@code os/architecture[/variant]}. */
    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
