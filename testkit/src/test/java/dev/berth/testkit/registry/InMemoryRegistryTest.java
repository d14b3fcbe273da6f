package dev.berth.testkit.registry;

import dev.berth.oci.Reference;
import dev.berth.remote.RegistryResolver;

class InMemoryRegistryTest extends RegistryResolverContract {
    @Override
    protected RegistryResolver resolver() {
        return new InMemoryRegistry();
    }

    @Override
    protected Reference reference(String repository, String tag) {
        return Reference.parse("registry.test/" + repository + ":" + tag);
    }
}
