package dev.berth.store;

import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreOpener;
import java.nio.file.Path;

/** Opens a {@link FileContentStore} in the contract suite's child JVM. */
final class FileStoreOpener implements ContentStoreOpener {
    /** Used by reflection. */
    FileStoreOpener() {
    }

    @Override
    public ContentStore open(Path root) throws Exception {
        return FileContentStore.open(root);
    }
}
