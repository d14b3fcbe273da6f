package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.content.ContentStore;
import dev.berth.event.PluginEvent;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.runtime.PluginRuntime;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A plugin root with the real file store and archive code, an in-memory registry, and hooks to wrap
 * any collaborator (for failure injection) or add a runtime.
 */
final class Harness {
    final Path root;
    final Path execRoot;
    final InMemoryRegistry registry = new InMemoryRegistry();
    final List<PluginEvent> events = new CopyOnWriteArrayList<>();
    UnaryOperator<ContentStore> storeWrapper = s -> s;
    UnaryOperator<RegistryResolver> resolverWrapper = r -> r;
    UnaryOperator<RootfsApplier> applierWrapper = a -> a;
    PluginRuntime runtime;

    /** Set while {@link #openWith} builds a manager, so that {@link Faults} count only the operations' calls. */
    private static final ThreadLocal<Boolean> OPENING = ThreadLocal.withInitial(() -> false);

    /**
     * Whether this thread is opening a manager: the calls its open makes (loading, the collection at open)
     * are not the operation's, and fault injection lets them through uncounted.
     */
    static boolean opening() {
        return OPENING.get();
    }

    Harness(Path root, Path execRoot) {
        this.root = root;
        this.execRoot = execRoot;
    }

    PluginManager open() {
        return openWith(b -> { });
    }

    /** Opens with extra builder settings. */
    @SuppressWarnings("deprecation") // the synchronous publisher: tests read the events right after an operation
    PluginManager openWith(java.util.function.Consumer<PluginManager.Builder> extra) {
        try {
            PluginManager.Builder b = PluginManager.builder()
                    .root(root)
                    .contentStore(storeWrapper.apply(FileContentStore.open(root.resolve("storage"))))
                    .registryResolver(resolverWrapper.apply(registry))
                    .rootfsApplier(applierWrapper.apply(TarRootfsApplier.create()))
                    .contextSplitter(TarContextSplitter.create())
                    .execRoot(execRoot)
                    .enableTimeout(Duration.ofSeconds(5))
                    .stopTimeout(Duration.ofSeconds(2))
                    .addEventPublisher(events::add);
            if (runtime != null) {
                b.runtime(runtime);
            }
            extra.accept(b);
            OPENING.set(true);
            try {
                return b.build();
            } finally {
                OPENING.set(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a plugin from a context with a manager of its own and pushes it to the registry. */
    void publish(String name, byte[] context) {
        try (PluginManager m = open()) {
            m.create(name, new ByteArrayInputStream(context));
            m.push(name);
            m.remove(name, true);
        }
        events.clear();
    }

    List<String> actions() {
        return events.stream().map(PluginEvent::action).toList();
    }
}
