/**
 * Berth store: {@link dev.berth.store.FileContentStore}, a durable content-addressable store in
 * containerd's local layout.
 */
module dev.berth.store {
    requires transitive dev.berth.api;
    requires org.slf4j;

    exports dev.berth.store;
}
