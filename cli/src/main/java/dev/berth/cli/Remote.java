package dev.berth.cli;

import dev.berth.oci.Reference;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code REMOTE} argument: a registry reference, or {@code oci:DIR[:TAG]} for an OCI image-layout
 * directory. A layout is reached through the reserved host {@link #LAYOUT_DOMAIN} (the {@code .invalid}
 * top-level domain can never name a real registry), so the manager records a reference that can not be
 * mistaken for, or sent to, a real registry.
 *
 * @param reference the reference handed to the manager
 * @param layout    the layout directory, for {@code oci:} remotes
 * @param typed     the argument as the user typed it, for messages
 */
record Remote(String reference, Optional<Path> layout, String typed) {
    /** The host name standing for "the OCI layout of this invocation". */
    static final String LAYOUT_DOMAIN = "oci-layout.invalid";
    private static final String PREFIX = "oci:";
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    Remote {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(typed, "typed");
    }

    /**
     * Parses a {@code REMOTE} argument.
     *
     * @throws IllegalArgumentException for an empty {@code oci:} directory
     */
    static Remote parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.startsWith(PREFIX)) {
            return new Remote(text, Optional.empty(), text);
        }
        String rest = text.substring(PREFIX.length());
        String tag = Reference.DEFAULT_TAG;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && TAG.matcher(rest.substring(colon + 1)).matches()) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("invalid remote " + text + ": oci: needs a directory, as in oci:DIR[:TAG]");
        }
        Path dir = Path.of(rest).toAbsolutePath().normalize();
        return new Remote(LAYOUT_DOMAIN + "/" + repositoryName(dir) + ":" + tag, Optional.of(dir), text);
    }

    /** Whether a recorded plugin reference points at a layout of an earlier invocation. */
    static boolean isLayoutReference(String reference) {
        return reference.startsWith(LAYOUT_DOMAIN + "/");
    }

    /** The local name an install uses by default: the layout's directory name and tag, or the reference's. */
    Optional<String> defaultAlias() {
        if (layout.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(reference.substring(LAYOUT_DOMAIN.length() + 1));
    }

    /** A repository name made of the directory's name: lower case, other characters replaced. */
    private static String repositoryName(Path dir) {
        Path name = dir.getFileName();
        String raw = name == null ? "layout" : name.toString().toLowerCase(Locale.ROOT);
        String clean = raw.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return clean.isEmpty() ? "layout" : clean;
    }
}
