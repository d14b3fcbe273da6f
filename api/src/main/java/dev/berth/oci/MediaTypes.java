package dev.berth.oci;

import java.util.Set;

/**
 * The media types Berth reads and writes, with the questions callers ask of them. The Docker and OCI
 * names are kept verbatim: registries and daemons compare them as exact strings.
 */
public final class MediaTypes {
    /** Docker image manifest, schema 2: what Docker writes for plugins. */
    public static final String DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    /** Docker manifest list. */
    public static final String DOCKER_MANIFEST_LIST_V2 = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Docker image manifest, schema 1 (signed): never supported for plugins. */
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    /** The plugin config blob. */
    public static final String DOCKER_PLUGIN_CONFIG = "application/vnd.docker.plugin.v1+json";
    /** A container image config: its presence means the reference is an image, not a plugin. */
    public static final String DOCKER_IMAGE_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** Docker's gzip layer: what Docker writes for plugin layers since 2021. */
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Docker's uncompressed layer. */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    /** Docker's foreign (non-distributable) gzip layer. */
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    /** OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** OCI image index. */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** OCI image config. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** OCI uncompressed layer. */
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    /** OCI gzip layer. */
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** OCI zstd layer. */
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** A generic binary type some tools use for layers; the compression must be sniffed. */
    public static final String OCTET_STREAM = "application/octet-stream";

    private static final Set<String> MANIFESTS = Set.of(DOCKER_MANIFEST_V2, OCI_MANIFEST);
    private static final Set<String> INDEXES = Set.of(DOCKER_MANIFEST_LIST_V2, OCI_INDEX);
    private static final Set<String> LAYERS = Set.of(DOCKER_LAYER_GZIP, DOCKER_LAYER_TAR,
            DOCKER_LAYER_FOREIGN_GZIP, OCI_LAYER_TAR, OCI_LAYER_GZIP, OCI_LAYER_ZSTD);

    private MediaTypes() {
    }

    /** A single-platform manifest, Docker schema 2 or OCI. */
    public static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(mediaType);
    }

    /** A multi-platform index, Docker manifest list or OCI index. */
    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    /** A layer blob of any compression Berth knows. */
    public static boolean isLayer(String mediaType) {
        return LAYERS.contains(mediaType);
    }

    /** The compression a layer media type declares, or {@link Compression#UNKNOWN} when it does not say. */
    public static Compression layerCompression(String mediaType) {
        return switch (mediaType) {
            case DOCKER_LAYER_GZIP, DOCKER_LAYER_FOREIGN_GZIP, OCI_LAYER_GZIP -> Compression.GZIP;
            case DOCKER_LAYER_TAR, OCI_LAYER_TAR -> Compression.NONE;
            case OCI_LAYER_ZSTD -> Compression.ZSTD;
            default -> Compression.UNKNOWN;
        };
    }

    /** The compression of a layer stream. */
    public enum Compression {
        /** A plain tar stream. */
        NONE,
        /** gzip, possibly multi-member. */
        GZIP,
        /** Zstandard. */
        ZSTD,
        /** Not declared by the media type: sniff the stream's magic bytes. */
        UNKNOWN
    }
}
