package dev.berth.content;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Inspects, labels, walks and deletes committed blobs. Thread-safe.
 */
public interface ContentManager {
    /** What the store knows about the blob, or empty if it has no blob with this digest. */
    Optional<ContentInfo> info(Digest digest) throws IOException;

    /**
     * Replaces all of a blob's labels with {@code labels} and moves its {@code updatedAt}.
     *
     * @return the updated info
     * @throws dev.berth.exception.NotFoundException         if no blob has this digest
     * @throws dev.berth.exception.InvalidParameterException if a label breaks {@link ContentLabels}' rules
     */
    ContentInfo replaceLabels(Digest digest, Map<String, String> labels) throws IOException;

    /**
     * Changes only the labels named in {@code changes}: a non-empty value sets the label, an empty
     * value removes it; other labels are kept (containerd's {@code Update} with {@code labels.<key>}
     * field paths). Moves {@code updatedAt}.
     *
     * @return the updated info
     * @throws dev.berth.exception.NotFoundException         if no blob has this digest
     * @throws dev.berth.exception.InvalidParameterException if a label breaks {@link ContentLabels}' rules
     */
    ContentInfo updateLabels(Digest digest, Map<String, String> changes) throws IOException;

    /**
     * Calls {@code consumer} with every committed blob that matches {@code filter}, one at a time, in
     * no particular order, without holding the whole list in memory. The consumer may delete blobs
     * (garbage collection does); a blob committed or deleted during the walk may or may not be seen.
     * An exception from the consumer ends the walk and propagates.
     */
    void walk(Predicate<? super ContentInfo> filter, Consumer<? super ContentInfo> consumer) throws IOException;

    /**
     * Deletes a blob and its labels. Readers already open may keep reading it.
     *
     * @throws dev.berth.exception.NotFoundException if no blob has this digest
     */
    void delete(Digest digest) throws IOException;
}
