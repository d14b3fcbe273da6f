package dev.berth;

import dev.berth.oci.MediaTypes;

/** The document {@link PluginManager#pushIndex} writes over a plugin's platform variants. */
public enum IndexFormat {
    /** An OCI image index ({@code application/vnd.oci.image.index.v1+json}); the default. */
    OCI_INDEX(MediaTypes.OCI_INDEX),
    /** A Docker manifest list ({@code application/vnd.docker.distribution.manifest.list.v2+json}), for older registries and tools. */
    DOCKER_MANIFEST_LIST(MediaTypes.DOCKER_MANIFEST_LIST_V2);

    private final String mediaType;

    IndexFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The media type of the document, which it also carries in its {@code mediaType} field. */
    public String mediaType() {
        return mediaType;
    }
}
