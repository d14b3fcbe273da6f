package dev.berth.progress;

/**
 * Receives per-blob progress of pulls, upgrades and pushes, so tools can draw progress bars. Called on
 * the operation's thread; implementations must be quick and must not throw (an exception is logged and
 * ignored).
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = event -> { };

    /** Handles one update. */
    void progress(ProgressEvent event);
}
