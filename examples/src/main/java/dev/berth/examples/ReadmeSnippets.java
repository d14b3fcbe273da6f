package dev.berth.examples;

import dev.berth.InstallOperation;
import dev.berth.PluginManager;
import dev.berth.PluginTask;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.event.Subscription;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.layout.OciArchive;
import dev.berth.registry.layout.OciArchiveWriter;
import dev.berth.runc.RuncRuntime;
import dev.berth.store.FileContentStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * The README's code, verbatim, so that the compiler checks it: {@code ReadmeSnippetsTest} finds every
 * {@code java} block of README.md in this file and runs the snippets that need no daemon. Each method is
 * one block; keep them identical when either changes.
 */
public final class ReadmeSnippets {
    private ReadmeSnippets() {
    }

    /** "Using the library". */
    static void usingTheLibrary() throws IOException {
        Path root = Path.of("/var/lib/myapp/plugins");
        try (PluginManager plugins = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create())
                .runtime(RuncRuntime.builder().build())
                .build()) {
            InstallOperation install = plugins.install("localhost:5000/acme/volume:1.0").disabled();
            List<PluginPrivilege> asked = install.privileges(); // show these; run() installs what was shown
            Plugin p = install.grant(asked).run();
            plugins.set(p.name(), List.of("DEBUG=1"));
            plugins.enable(p.name(), Duration.ofSeconds(30));
        }
    }

    /** "Save and load": an archive of one manager's plugins, installed again from it. */
    static void saveAndLoad(PluginManager plugins) throws IOException {
        try (OutputStream out = Files.newOutputStream(Path.of("plugins.tar"))) {
            OciArchiveWriter archive = OciArchiveWriter.to(new BufferedOutputStream(out));
            plugins.export(List.of("localhost:5000/acme/volume:1.0"), archive);
            archive.finish();
        }
        try (OciArchive archive = OciArchive.open(Path.of("plugins.tar"))) {
            for (OciArchive.Entry e : archive.entries()) {
                String name = e.imageName().orElseThrow();
                plugins.install(name).from(archive).grant(plugins.privileges(name, archive)).disabled().run();
            }
        }
    }

    /** "Using the library": a background install with its own progress and deadline, cancelled. */
    static PluginTask<Plugin> background(PluginManager plugins) {
        PluginTask<Plugin> task = plugins.install("localhost:5000/acme/volume:1.0")
                .grantAllPrivileges().disabled()
                .progress(e -> System.out.println(e.operation() + " " + e.plugin() + " " + e))
                .deadline(Duration.ofMinutes(5))
                .start();                       // on the builder's executor(...)
        task.cancel();                          // result() then fails with CancelledException
        return task;
    }

    /** "Events": a subscription around an enable, and the last hour of the journal. */
    @SuppressWarnings("try") // the subscription is held for its effect, as the README shows it
    static List<EventMessage> events(PluginManager plugins) {
        try (Subscription s = plugins.events().subscribe(
                EventFilter.parse(List.of("event=enable", "event=disable", "plugin=localhost:5000/acme")),
                event -> System.out.println(event.action() + " " + event.plugin().name()))) {
            plugins.enable("localhost:5000/acme/volume:1.0", Duration.ofSeconds(30));
        }
        List<EventMessage> lastHour = plugins.events().journal(
                EventFilter.ALL.since(EventFilter.parseTime("1h", Instant.now(), ZoneId.systemDefault())));
        return lastHour;
    }
}
