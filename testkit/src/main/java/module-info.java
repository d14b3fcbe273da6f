/**
 * Berth testkit: fakes (an in-memory content store, an in-memory registry, a fake plugin runtime) and
 * the contract suites every SPI implementation runs, for Berth's tests and its users'.
 */
module dev.berth.testkit {
    requires transitive dev.berth.api;
    requires dev.berth.internal;
    // JUnit is the user's own (5.10 or later, or 6), declared "provided" in the POM: static, so the fakes
    // work without it; transitive, so a test module that reads testkit reads the JUnit it resolves.
    requires static transitive org.junit.jupiter.api;
    requires static org.junit.jupiter.params;
    requires org.assertj.core;

    exports dev.berth.testkit.content;
    exports dev.berth.testkit.runtime;
    // JUnit calls the contract's package-private test methods reflectively.
    opens dev.berth.testkit.content to org.junit.platform.commons;

    exports dev.berth.testkit.registry;
    exports dev.berth.testkit.rootfs;
    opens dev.berth.testkit.rootfs to org.junit.platform.commons;
}
