package dev.berth.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A multi-platform index: a Docker manifest list, an OCI image index, or the {@code index.json} of an
 * OCI image-layout directory.
 *
 * @param schemaVersion always 2
 * @param mediaType     the {@code mediaType} field of the document, if it has one ({@code index.json}
 *                      files usually do not)
 * @param manifests     the entries, in document order, never null
 * @param annotations   annotations, sorted by key, never null
 */
public record ImageIndex(int schemaVersion, Optional<String> mediaType, List<Descriptor> manifests,
                         Map<String, String> annotations) {
    /** The annotation an OCI layout uses to name an entry ({@code oci:dir:<name>}). */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    /** Validates and copies. */
    public ImageIndex {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("index schemaVersion must be 2, not " + schemaVersion);
        }
        Objects.requireNonNull(mediaType, "mediaType");
        mediaType.ifPresent(t -> {
            if (!MediaTypes.isIndex(t)) {
                throw new IllegalArgumentException("not an index media type: " + t);
            }
        });
        manifests = List.copyOf(manifests);
        annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** An index with the given entries and no media type field, as OCI layouts write it. */
    public static ImageIndex of(List<Descriptor> manifests) {
        return new ImageIndex(2, Optional.empty(), manifests, Map.of());
    }

    /**
     * The first entry whose platform runs on {@code platform}, in document order so the choice is
     * deterministic; entries without a platform never match.
     */
    public Optional<Descriptor> select(Platform platform) {
        Objects.requireNonNull(platform, "platform");
        return manifests.stream()
                .filter(d -> d.platform().map(platform::matches).orElse(false))
                .findFirst();
    }

    /**
     * {@link #select(Platform)}, or a {@link dev.berth.exception.PlatformNotFoundException} naming
     * {@code subject} and listing the platforms the index holds.
     */
    public Descriptor require(Platform platform, String subject) {
        return select(platform).orElseThrow(() -> new dev.berth.exception.PlatformNotFoundException(subject,
                platform, platforms()));
    }

    /** The platforms of the entries that name one, in document order. */
    public List<Platform> platforms() {
        return manifests.stream().flatMap(d -> d.platform().stream()).toList();
    }

    /** A copy with other entries. */
    public ImageIndex withManifests(List<Descriptor> value) {
        return new ImageIndex(schemaVersion, mediaType, value, annotations);
    }
}
