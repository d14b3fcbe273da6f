/**
 * Runtime fakes and suites: {@link dev.berth.testkit.runtime.FakePluginRuntime}, the
 * {@link dev.berth.testkit.runtime.PluginRuntimeContract} every runtime runs, a fake plugin server and a
 * builder of a real static test plugin.
 *
 * <p>Module {@code berth-testkit}: depends on {@code berth-api} only; Berth's modules and users depend on
 * it in test scope.
 */
package dev.berth.testkit.runtime;
