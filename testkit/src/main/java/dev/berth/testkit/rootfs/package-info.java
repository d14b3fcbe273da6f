/**
 * Test support for {@link dev.berth.rootfs.RootfsApplier}s and {@link dev.berth.rootfs.ContextSplitter}s:
 * {@link dev.berth.testkit.rootfs.RootfsApplierContract} and
 * {@link dev.berth.testkit.rootfs.ContextSplitterContract}, the suites every implementation (Berth's and
 * users') must pass, and {@link dev.berth.testkit.rootfs.SimpleRootfsApplier} and
 * {@link dev.berth.testkit.rootfs.SimpleContextSplitter}, deliberately simple fakes that pass them too.
 */
package dev.berth.testkit.rootfs;
