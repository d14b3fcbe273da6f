package com.example;

import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.testkit.rootfs.RootfsApplierContract;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;

/** A user's run of testkit's applier suite (parameterized tests, @TempDir, @Nested), on JUnit 5.10. */
class SimpleRootfsApplierContractTest extends RootfsApplierContract {
    @Override
    protected RootfsApplier applier(RootfsLimits limits) {
        return new SimpleRootfsApplier(limits);
    }
}
