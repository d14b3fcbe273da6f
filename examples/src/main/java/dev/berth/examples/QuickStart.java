package dev.berth.examples;

import dev.berth.InstallOperation;
import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.store.FileContentStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The library in a few lines: open a plugin root, look at what a plugin asks for, install it with
 * exactly those privileges, change a setting, list, and remove it (with its blobs). No runtime is configured, so the
 * plugin is installed disabled.
 *
 * <p>The interop suite ({@code RegistryCliTest} in the {@code cli} module) runs it against a real
 * registry; by hand, put {@code examples/target/*.jar} and the library modules' jars on the class path:
 * <pre>{@code
 * java -cp "$CLASSPATH" dev.berth.examples.QuickStart /tmp/plugins localhost:5000/acme/volume:1.0
 * }</pre>
 */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * @param args the plugin root and a plugin reference
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: QuickStart ROOT REFERENCE");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        String remote = args[1];
        // Every collaborator is explicit: the store, the registry client, how layers are applied.
        try (PluginManager plugins = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create())
                .build()) {
            // The operation fetches manifest and config once, for the privileges and for the install.
            InstallOperation install = plugins.install(remote).disabled();
            List<PluginPrivilege> asked = install.privileges();
            System.out.println(remote + " asks for " + asked);

            // Grant exactly what was shown; the install fails if the plugin asks for anything else.
            Plugin p = install.grant(asked).run();
            System.out.println("installed " + p.name() + " as " + p.id().substring(0, 12));

            if (p.config().envOrEmpty().stream().anyMatch(e -> e.name().equals("DEBUG"))) {
                plugins.set(p.name(), List.of("DEBUG=1"));
            }
            plugins.list().forEach(x -> System.out.println(x.name() + " enabled=" + x.enabled()));

            // As in Docker, a remove also garbage-collects the blobs no other plugin uses.
            plugins.remove(p.name(), false);
            System.out.println("removed " + p.name());
        }
    }
}
