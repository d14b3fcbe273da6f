/**
 * The content store SPI: a content-addressable blob store split the containerd way, so each caller
 * asks for the narrowest capability it needs.
 *
 * <ul>
 *   <li>{@link dev.berth.content.ContentProvider} reads committed blobs by digest (streams and
 *       random access).</li>
 *   <li>{@link dev.berth.content.ContentIngester} opens {@link dev.berth.content.ContentWriter}s
 *       keyed by a caller-chosen ref; an ingest is resumable and becomes a blob only at
 *       {@link dev.berth.content.ContentWriter#commit commit}, which verifies size and digest.</li>
 *   <li>{@link dev.berth.content.ContentIngestManager} lists and aborts ingests in progress.</li>
 *   <li>{@link dev.berth.content.ContentManager} inspects, labels, walks and deletes blobs.</li>
 *   <li>{@link dev.berth.content.ContentStore} combines the four.</li>
 * </ul>
 *
 * <p><b>Visibility.</b> Bytes written to a writer are invisible to every provider and manager call
 * until {@code commit} returns; from then on the blob is visible, complete, and its name is the digest
 * of its bytes. An ingest is visible only through {@link dev.berth.content.ContentIngestManager} and
 * by reopening its ref.
 *
 * <p><b>Errors.</b> Failures are {@link dev.berth.exception.PluginException}s: {@link dev.berth.exception.NotFoundException}
 * for an unknown digest or ref, {@link dev.berth.exception.InvalidParameterException} for a bad ref, label or
 * argument, {@link dev.berth.content.IngestLockedException} (an {@link dev.berth.exception.UnavailableException})
 * when a ref is being written by someone else, {@link dev.berth.exception.DigestMismatchException} and
 * {@link dev.berth.content.SizeMismatchException} when content does not match what it was promised to be,
 * and {@link dev.berth.exception.SystemException} for I/O failures. "Already exists" at commit is not an error:
 * it is {@link dev.berth.content.CommitResult.Outcome#ALREADY_EXISTS}.
 *
 * <p>Implementations: {@code dev.berth.store.FileContentStore} (durable, containerd's local layout) and
 * {@code dev.berth.testkit.content.InMemoryContentStore}; both pass the public contract suite
 * {@code dev.berth.testkit.content.ContentStoreContract}.
 */
package dev.berth.content;
