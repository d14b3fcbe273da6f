package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.plugin.Plugin;
import dev.berth.store.FileContentStore;
import java.nio.file.Path;

/**
 * Installs the plugin of a {@link DirectoryRegistry}; run in a child JVM with a small heap by
 * {@link BigLayerTest}. Prints the plugin's ID and the heap's size on success.
 */
public final class BigLayerInstall {
    private BigLayerInstall() {
    }

    public static void main(String[] args) throws Exception {
        Path registry = Path.of(args[0]);
        Path root = Path.of(args[1]);
        try (PluginManager m = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(new DirectoryRegistry(registry))
                .rootfsApplier(TarRootfsApplier.create())
                .build()) {
            Plugin p = m.install("localhost:5000/big/plugin:1").disabled().run();
            System.out.println(p.id() + " maxHeap=" + Runtime.getRuntime().maxMemory());
        }
    }
}
