/**
 * Berth testkit: fakes (an in-memory content store, an in-memory registry, a fake plugin runtime) and
 * the contract suites every SPI implementation runs, for Berth's tests and its users'.
 */
module dev.berth.testkit {
    requires transitive dev.berth.api;
    requires dev.berth.internal;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires org.junit.jupiter.params;

    exports dev.berth.testkit.content;
    exports dev.berth.testkit.runtime;
    // JUnit calls the contract's package-private test methods reflectively.
    opens dev.berth.testkit.content to org.junit.platform.commons;

    exports dev.berth.testkit.registry;
    exports dev.berth.testkit.rootfs;
    opens dev.berth.testkit.rootfs to org.junit.platform.commons;
}
