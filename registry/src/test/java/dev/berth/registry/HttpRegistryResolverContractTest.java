package dev.berth.registry;

import dev.berth.oci.Reference;
import dev.berth.remote.RegistryResolver;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.registry.RegistryResolverContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class HttpRegistryResolverContractTest extends RegistryResolverContract {
    FakeRegistry registry;

    @BeforeEach
    void start() {
        registry = FakeRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Override
    protected RegistryResolver resolver() {
        return HttpRegistryResolver.builder().build();
    }

    @Override
    protected Reference reference(String repository, String tag) {
        return Reference.parse(registry.host() + "/" + repository + ":" + tag);
    }
}
