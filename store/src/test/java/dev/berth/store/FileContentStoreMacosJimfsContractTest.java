package dev.berth.store;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreContract;
import java.nio.file.FileSystem;

/**
 * The content store contract on FileContentStore over Jimfs modelling macOS's default (case-folding, NFD-normalising) file system, where IDE users keep
 * their roots. No second instance and no child JVM, as on {@link FileContentStoreJimfsContractTest}.
 */
class FileContentStoreMacosJimfsContractTest extends ContentStoreContract {
    private FileSystem fs;

    @Override
    protected ContentStore newStore() throws Exception {
        fs = Jimfs.newFileSystem(Configuration.osX());
        return FileContentStore.open(fs.getPath("/Users/dev/Library/berth/storage"));
    }

    @Override
    protected void closeStore(ContentStore closing) throws Exception {
        fs.close();
    }
}
