package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.progress.ProgressStatus;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.store.FileContentStore;
import java.nio.file.Path;

/**
 * Installs a plugin and stops dead once half of its layer has been downloaded, printing {@code HALF
 * <bytes>}, so that {@link KilledDownloadTest} can kill it with SIGKILL there.
 */
public final class KilledDownloadChild {
    private KilledDownloadChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String remote = args[1];
        try (PluginManager m = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create())
                .progressListener(e -> {
                    if (e.status() == ProgressStatus.DOWNLOADING && e.total() > 0 && e.current() >= e.total() / 2) {
                        System.out.println("HALF " + e.current());
                        System.out.flush();
                        sleepForever();
                    }
                })
                .build()) {
            m.install(remote).disabled().run();
        }
        System.out.println("DONE");
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
