package dev.berth.testkit.content;

import dev.berth.content.ContentStore;
import java.nio.file.Path;

/**
 * Opens a store on a directory, so {@link ContentStoreContract}'s cross-process cases can open the
 * same store in a second JVM. Implementations need a no-argument constructor (it may be
 * package-private: the child JVM runs on the class path and creates one by reflection).
 */
public interface ContentStoreOpener {
    /** Opens (or creates) the store whose data lives under {@code root}. */
    ContentStore open(Path root) throws Exception;
}
