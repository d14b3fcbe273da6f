package dev.berth.store;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreContract;
import java.nio.file.FileSystem;

/**
 * The content store contract on FileContentStore over Jimfs. No second instance and no child JVM:
 * Jimfs file locks do not exclude anyone, and another JVM cannot see this file system.
 */
class FileContentStoreJimfsContractTest extends ContentStoreContract {
    private FileSystem fs;

    @Override
    protected ContentStore newStore() throws Exception {
        fs = Jimfs.newFileSystem(Configuration.unix());
        return FileContentStore.open(fs.getPath("/var/lib/berth/storage"));
    }

    @Override
    protected void closeStore(ContentStore closing) throws Exception {
        fs.close();
    }
}
