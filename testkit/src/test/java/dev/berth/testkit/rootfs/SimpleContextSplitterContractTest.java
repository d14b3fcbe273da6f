package dev.berth.testkit.rootfs;

import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsLimits;

/** The simple fake meets the contract too, so the suite tests the contract rather than one implementation. */
class SimpleContextSplitterContractTest extends ContextSplitterContract {
    @Override
    protected ContextSplitter splitter(RootfsLimits limits) {
        return new SimpleContextSplitter(limits);
    }
}
