package dev.berth.progress;

/** The per-blob progress states, named as Docker prints them. */
public enum ProgressStatus {
    /** Queued behind other blobs. */
    WAITING("Waiting"),
    /** Bytes are arriving; {@link ProgressEvent#current()} of {@link ProgressEvent#total()}. */
    DOWNLOADING("Downloading"),
    /** The download ended and its digest is being checked. */
    VERIFYING_CHECKSUM("Verifying Checksum"),
    /** The blob is in the content store, verified. */
    DOWNLOAD_COMPLETE("Download complete"),
    /** A layer is being applied onto the rootfs. */
    EXTRACTING("Extracting"),
    /** A layer is applied. */
    PULL_COMPLETE("Pull complete"),
    /** The blob was already in the content store. */
    ALREADY_EXISTS("Already exists"),
    /** A blob is about to be pushed. */
    PREPARING("Preparing"),
    /** Bytes are being uploaded. */
    PUSHING("Pushing"),
    /** The registry has the blob now. */
    PUSHED("Pushed"),
    /** The registry had the blob already. */
    LAYER_ALREADY_EXISTS("Layer already exists");

    private final String text;

    ProgressStatus(String text) {
        this.text = text;
    }

    /** The text Docker prints, e.g. {@code Download complete}. */
    public String text() {
        return text;
    }
}
