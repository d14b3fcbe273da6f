package dev.berth.store;

import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The content store contract on FileContentStore over the default file system, with a second JVM. */
class FileContentStoreContractTest extends ContentStoreContract {
    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("storage");
    }

    @Override
    protected ContentStore newStore() throws Exception {
        return FileContentStore.open(root());
    }

    @Override
    protected Optional<ContentStore> reopen(ContentStore first) throws Exception {
        return Optional.of(FileContentStore.open(root()));
    }

    @Override
    protected Optional<ChildJvm> childJvm() {
        return Optional.of(new ChildJvm(FileStoreOpener.class, root()));
    }
}
