package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import java.nio.file.Path;

/** Holds a plugin root until its standard input closes; run in a child JVM by {@link RootLockTest}. */
public final class HoldRoot {
    private HoldRoot() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (PluginManager m = PluginManager.builder().root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(new InMemoryRegistry()).rootfsApplier(TarRootfsApplier.create()).build()) {
            System.out.println("HELD " + ProcessHandle.current().pid() + " " + m.list().size());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
        }
    }
}
