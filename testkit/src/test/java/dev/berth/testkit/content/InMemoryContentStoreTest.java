package dev.berth.testkit.content;

import dev.berth.content.ContentStore;

/** The content store contract on the in-memory store. */
class InMemoryContentStoreTest extends ContentStoreContract {
    @Override
    protected ContentStore newStore() {
        return InMemoryContentStore.create();
    }
}
