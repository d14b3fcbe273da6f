package com.example;

import dev.berth.content.ContentStore;
import dev.berth.testkit.content.ContentStoreContract;
import dev.berth.testkit.content.InMemoryContentStore;

/** A user's run of testkit's content-store suite, on JUnit 5.10. */
class InMemoryContentStoreContractTest extends ContentStoreContract {
    @Override
    protected ContentStore newStore() {
        return InMemoryContentStore.create();
    }
}
