package dev.berth.archive;

import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.testkit.rootfs.ContextSplitterContract;

/** The production splitter meets the testkit contract. */
class TarContextSplitterContractTest extends ContextSplitterContract {
    @Override
    protected ContextSplitter splitter(RootfsLimits limits) {
        return TarContextSplitter.create(limits);
    }
}
