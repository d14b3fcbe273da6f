package dev.berth.testkit.rootfs;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.testkit.rootfs.RootfsApplierContract;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** The simple fake meets the contract too, so the suite tests the contract rather than one implementation. */
class SimpleRootfsApplierContractTest extends RootfsApplierContract {
    @Override
    protected RootfsApplier applier(RootfsLimits limits) {
        return new SimpleRootfsApplier(limits);
    }

    /** The same contract on Jimfs, which has no ownership or devices but symlinks and hard links. */
    @Nested
    class OnJimfs extends RootfsApplierContract {
        private FileSystem fs;

        @Override
        protected RootfsApplier applier(RootfsLimits limits) {
            return SimpleRootfsApplierContractTest.this.applier(limits);
        }

        @Override
        protected Path newWorkDir() throws IOException {
            fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                    .setAttributeViews("basic", "owner", "posix", "unix").build());
            return Files.createDirectories(fs.getPath("/work"));
        }

        @Override
        protected void closeWorkDir(Path closing) throws IOException {
            fs.close();
        }
    }
}
