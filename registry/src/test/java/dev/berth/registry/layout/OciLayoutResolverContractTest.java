package dev.berth.registry.layout;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.oci.Reference;
import dev.berth.remote.RegistryResolver;
import dev.berth.testkit.registry.RegistryResolverContract;
import java.io.IOException;
import java.nio.file.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class OciLayoutResolverContractTest extends RegistryResolverContract {
    FileSystem fs;

    @BeforeEach
    void start() {
        fs = Jimfs.newFileSystem(Configuration.unix());
    }

    @AfterEach
    void stop() throws IOException {
        fs.close();
    }

    @Override
    protected RegistryResolver resolver() {
        return OciLayoutResolver.open(fs.getPath("/layout"));
    }

    @Override
    protected Reference reference(String repository, String tag) {
        return Reference.parse("localhost/" + repository + ":" + tag);
    }
}
