package dev.berth.archive;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.RootfsPolicy;
import dev.berth.testkit.rootfs.RootfsApplierContract;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** The production applier meets the testkit contract, on the default file system and on Jimfs. */
class TarRootfsApplierContractTest extends RootfsApplierContract {
    @Override
    protected RootfsApplier applier(RootfsLimits limits) {
        return TarRootfsApplier.create(RootfsPolicy.defaults().withLimits(limits));
    }

    /** The same contract on Jimfs, which has no ownership or devices but symlinks and hard links. */
    @Nested
    class OnJimfs extends RootfsApplierContract {
        private FileSystem fs;

        @Override
        protected RootfsApplier applier(RootfsLimits limits) {
            return TarRootfsApplierContractTest.this.applier(limits);
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
