/**
 * The facade: {@link dev.berth.PluginManager} and the values and builders of its operations
 * ({@link dev.berth.InstallOperation}, {@link dev.berth.UpgradeOperation}, {@link dev.berth.PushedPlugin},
 * {@link dev.berth.GcResult}, {@link dev.berth.GetMode}). The manager delegates each operation to a class
 * of {@code dev.berth.core.internal.operation}.
 *
 * <p>A manager is built from the implementations in Berth's other modules:
 * <pre>{@code
 * Path root = Path.of("/var/lib/myapp/plugins");
 * try (PluginManager plugins = PluginManager.builder()
 *         .root(root)
 *         .contentStore(FileContentStore.open(root.resolve("storage")))
 *         .registryResolver(HttpRegistryResolver.builder().build())
 *         .rootfsApplier(TarRootfsApplier.create())
 *         .contextSplitter(TarContextSplitter.create())
 *         .runtime(RuncRuntime.builder().build())
 *         .build()) {
 *     List<PluginPrivilege> asked = plugins.privileges("localhost:5000/acme/volume:1.0");
 *     Plugin p = plugins.install("localhost:5000/acme/volume:1.0").grant(asked).disabled().run();
 *     plugins.set(p.name(), List.of("DEBUG=1"));
 *     plugins.enable(p.name(), Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Module {@code berth-core}: applications, the CLI and the examples depend on it (it brings
 * {@code berth-api}); no other library module may, so implementations never see the engine.
 */
package dev.berth;
