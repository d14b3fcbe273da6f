package dev.berth.content;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Inspects and aborts ingests in progress (open or closed but not committed). Thread-safe.
 */
public interface ContentIngestManager {
    /** The status of the ingest with this ref, or empty if there is none. */
    Optional<IngestStatus> status(String ref) throws IOException;

    /** The statuses of all ingests that match {@code filter}, in no particular order. */
    List<IngestStatus> statuses(Predicate<? super IngestStatus> filter) throws IOException;

    /**
     * Removes an ingest and its bytes. A writer still open on it fails at its next write or commit.
     *
     * @throws dev.berth.exception.NotFoundException if there is no ingest with this ref
     */
    void abort(String ref) throws IOException;
}
