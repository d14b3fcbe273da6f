package dev.berth.content;

/**
 * A content-addressable blob store: all four capabilities together. Implementations are thread-safe.
 * Take the narrowest interface a caller needs ({@link ContentProvider} to read,
 * {@link ContentIngester} to write, {@link ContentManager} for GC) rather than this one.
 *
 * <p>See the {@linkplain dev.berth.content package documentation} for visibility and error rules.
 */
public interface ContentStore extends ContentProvider, ContentIngester, ContentIngestManager, ContentManager {
}
