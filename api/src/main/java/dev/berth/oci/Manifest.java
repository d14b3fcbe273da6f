package dev.berth.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A single-platform image manifest, Docker schema 2 or OCI: one config blob and ordered layers. This is
 * the parsed view; whoever needs the exact bytes (to verify or to re-serve them) keeps the bytes, since
 * a manifest is addressed by the digest of the bytes as received, never of a re-serialization.
 *
 * @param schemaVersion always 2
 * @param mediaType     the {@code mediaType} field of the document, if it has one (Docker schema 2
 *                      always has it; OCI manifests may omit it)
 * @param config        the config blob
 * @param layers        the layers, in application order, never null
 * @param annotations   annotations (OCI only), sorted by key, never null
 */
public record Manifest(int schemaVersion, Optional<String> mediaType, Descriptor config, List<Descriptor> layers,
                       Map<String, String> annotations) {
    /** Validates and copies. */
    public Manifest {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("manifest schemaVersion must be 2, not " + schemaVersion);
        }
        Objects.requireNonNull(mediaType, "mediaType");
        mediaType.ifPresent(t -> {
            if (!MediaTypes.isManifest(t)) {
                throw new IllegalArgumentException("not a manifest media type: " + t);
            }
        });
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /**
     * The manifest Docker builds for a plugin (moby {@code buildManifest}): Docker schema 2, the plugin
     * config, every layer a Docker gzip layer.
     */
    public static Manifest dockerPlugin(Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, Optional.of(MediaTypes.DOCKER_MANIFEST_V2), config, layers, Map.of());
    }

    /** The media type to use on the wire: the document's own, else OCI's. */
    public String effectiveMediaType() {
        return mediaType.orElse(MediaTypes.OCI_MANIFEST);
    }

    /** Whether the config is a Docker plugin config. */
    public boolean isPlugin() {
        return config.mediaType().equals(MediaTypes.DOCKER_PLUGIN_CONFIG);
    }
}
