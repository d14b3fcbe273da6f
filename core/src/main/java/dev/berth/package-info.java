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
 * <p><b>Exceptions.</b> Every operation fails with a {@link dev.berth.exception.PluginException} whose
 * {@link dev.berth.exception.PluginException#category() category} is Docker's error class; for the categories with a class of
 * their own ({@code NotFoundException}, {@code InvalidParameterException}, {@code ConflictException},
 * {@code UnauthorizedException}, {@code ForbiddenException}, {@code UnavailableException}) the exception
 * is an instance of it (one older exception keeps its own class: {@code PrivilegesNotGrantedException},
 * category {@code INVALID_PARAMETER}), and failures of the collaborators (an {@code IOException} or any runtime
 * exception of a store, registry, applier or runtime) arrive as {@code SystemException} or a more specific
 * {@code SYSTEM}-category subclass. A {@code RegistryException} whose category has its own class arrives
 * as that class, with the registry exception (and its reason) as the cause. An index without an entry for
 * the platform asked for is a {@code PlatformNotFoundException} (a {@code NotFoundException}) listing the
 * platforms it has. The only other exceptions
 * are {@link NullPointerException} and {@link IllegalArgumentException} for a caller's programming error,
 * and {@link IllegalStateException} for any call on a closed manager.
 *
 * <p><b>Read-only.</b> A manager built with {@code readOnly(true)} refuses every
 * call that would change the root or the content store (install, create, set, enable, disable, upgrade,
 * remove, gc) with a {@link dev.berth.exception.ReadOnlyException} before it reads a registry or writes anything. Push is
 * allowed, since it only reads the root, unless the plugin's manifest must be rebuilt first (then it is
 * refused the same way).
 *
 * <p>Module {@code berth-core}: applications, the CLI and the examples depend on it (it brings
 * {@code berth-api}); no other library module may, so implementations never see the engine.
 */
package dev.berth;
