package dev.berth.core.internal.manager;

import dev.berth.oci.Digest;
import java.util.HashMap;
import java.util.Map;

/**
 * Blobs in use by operations that have not finished. A failing operation deletes the blobs it added
 * only when no record and no other running operation uses them. Thread-safe.
 */
public final class BlobPins {
    private final Map<Digest, Integer> counts = new HashMap<>();

    /** Marks a blob as used by one more operation. */
    public synchronized void pin(Digest digest) {
        counts.merge(digest, 1, Integer::sum);
    }

    /** Releases one use. */
    public synchronized void unpin(Digest digest) {
        counts.computeIfPresent(digest, (d, n) -> n == 1 ? null : n - 1);
    }

    /** Whether another operation uses the blob too, for a caller that holds one pin on it. */
    public synchronized boolean isPinnedByOthers(Digest digest) {
        return counts.getOrDefault(digest, 0) > 1;
    }

    /** Whether any operation still uses the blob. */
    public synchronized boolean isPinned(Digest digest) {
        return counts.containsKey(digest);
    }
}
