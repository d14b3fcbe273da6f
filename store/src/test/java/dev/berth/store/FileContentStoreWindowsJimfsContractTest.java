package dev.berth.store;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreContract;
import java.nio.file.FileSystem;

/**
 * The content store contract on FileContentStore over Jimfs modelling Windows's file system (backslash separators, case folding, drive roots), where IDE users keep
 * their roots. No second instance and no child JVM, as on {@link FileContentStoreJimfsContractTest}.
 */
class FileContentStoreWindowsJimfsContractTest extends ContentStoreContract {
    private FileSystem fs;

    @Override
    protected ContentStore newStore() throws Exception {
        fs = Jimfs.newFileSystem(Configuration.windows());
        return FileContentStore.open(fs.getPath("C:\\Users\\dev\\AppData\\Local\\berth\\storage"));
    }

    @Override
    protected void closeStore(ContentStore closing) throws Exception {
        fs.close();
    }
}
