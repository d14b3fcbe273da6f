package dev.berth.cli;

import dev.berth.oci.Reference;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code REMOTE} argument: a registry reference, {@code oci:DIR[:TAG]} for an OCI image-layout
 * directory, or {@code oci-archive:FILE[:TAG]} for one in a tar (as skopeo spells both). A layout is reached through the reserved host {@link #LAYOUT_DOMAIN} (the {@code .invalid}
 * top-level domain can never name a real registry), so the manager records a reference that can not be
 * mistaken for, or sent to, a real registry.
 *
 * @param reference the reference handed to the manager
 * @param layout    the layout directory, for {@code oci:} remotes
 * @param archive   the archive file, for {@code oci-archive:} remotes
 * @param tagged    whether a layout or archive remote named a tag (else {@code latest} is looked up, and an
 *                  archive of one entry gives that entry)
 * @param typed     the argument as the user typed it, for messages
 */
record Remote(String reference, Optional<Path> layout, Optional<Path> archive, boolean tagged, String typed) {
    /** The host name standing for "the OCI layout of this invocation". */
    static final String LAYOUT_DOMAIN = "oci-layout.invalid";
    private static final String PREFIX = "oci:";
    private static final String ARCHIVE_PREFIX = "oci-archive:";
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    Remote {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(typed, "typed");
    }

    /**
     * Parses a {@code REMOTE} argument.
     *
     * @throws IllegalArgumentException for an empty {@code oci:} directory
     */
    static Remote parse(String text) {
        Objects.requireNonNull(text, "text");
        boolean isArchive = text.startsWith(ARCHIVE_PREFIX);
        if (!text.startsWith(PREFIX) && !isArchive) {
            return new Remote(text, Optional.empty(), Optional.empty(), true, text);
        }
        String rest = text.substring(isArchive ? ARCHIVE_PREFIX.length() : PREFIX.length());
        String tag = Reference.DEFAULT_TAG;
        boolean tagged = false;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && TAG.matcher(rest.substring(colon + 1)).matches()) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            tagged = true;
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("invalid remote " + text + (isArchive
                    ? ": oci-archive: needs a file, as in oci-archive:FILE[:TAG]"
                    : ": oci: needs a directory, as in oci:DIR[:TAG]"));
        }
        Path path = Path.of(rest).toAbsolutePath().normalize();
        String reference = LAYOUT_DOMAIN + "/" + repositoryName(path) + ":" + tag;
        return isArchive ? new Remote(reference, Optional.empty(), Optional.of(path), tagged, text)
                : new Remote(reference, Optional.of(path), Optional.empty(), tagged, text);
    }

    /** This remote pinned to one entry of its layout or archive (by digest), keeping its local name. */
    Remote withDigest(dev.berth.oci.Digest digest, String tag) {
        String repo = reference.substring(0, reference.lastIndexOf(':'));
        return new Remote(repo + ":" + tag + "@" + digest, layout, archive, tagged, typed);
    }

    /** Whether a recorded plugin reference points at a layout of an earlier invocation. */
    static boolean isLayoutReference(String reference) {
        return reference.startsWith(LAYOUT_DOMAIN + "/");
    }

    /** The local name an install uses by default: the layout's directory name and tag, or the reference's. */
    Optional<String> defaultAlias() {
        if (layout.isEmpty() && archive.isEmpty()) {
            return Optional.empty();
        }
        String local = reference.substring(LAYOUT_DOMAIN.length() + 1);
        int at = local.indexOf('@');
        return Optional.of(at < 0 ? local : local.substring(0, at));
    }

    /** A repository name made of the directory's (or file's) name: lower case, other characters replaced. */
    static String repositoryName(Path dir) {
        Path name = dir.getFileName();
        String raw = name == null ? "layout" : name.toString().toLowerCase(Locale.ROOT);
        String clean = raw.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return clean.isEmpty() ? "layout" : clean;
    }
}
