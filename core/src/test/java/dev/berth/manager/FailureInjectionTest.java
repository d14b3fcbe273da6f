package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.content.ContentReader;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.plugin.Plugin;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.RootfsApplier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step of install, create and upgrade fails once, in turn (the store, the registry and the
 * applier each fail on their 1st, 2nd, ... call): after each failure the plugin root must be byte for
 * byte what it was, and the manager must still list what it listed.
 */
class FailureInjectionTest {
    static final String REMOTE = "localhost:5000/test/vol";

    @TempDir
    Path temp;
    Harness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new Harness(temp.resolve("plugins"), Files.createTempDirectory(temp, "x"));
        h.publish(REMOTE + ":1", Contexts.tar(Contexts.config(), Map.of("v", "1", "bin/a", "a")));
        h.publish(REMOTE + ":2", Contexts.tar(Contexts.config(), Map.of("v", "2", "bin/b", "b")));
    }

    @Test
    void install_failingAtEveryStoreCall_leavesRootUnchanged() {
        everyFailure(storeFaults(), m -> m.install(REMOTE + ":1").disabled().run());
    }

    @Test
    void install_failingAtEveryRegistryCall_leavesRootUnchanged() {
        everyFailure(registryFaults(), m -> m.install(REMOTE + ":1").disabled().run());
    }

    @Test
    void install_failingApplier_leavesRootUnchanged() {
        everyFailure(applierFaults(), m -> m.install(REMOTE + ":1").disabled().run());
    }

    @Test
    void create_failingAtEveryStoreCall_leavesRootUnchanged() {
        everyFailure(storeFaults(), m -> m.create("made", new ByteArrayInputStream(Contexts.simple())));
    }

    @Test
    void create_failingApplier_leavesRootUnchanged() {
        everyFailure(applierFaults(), m -> m.create("made", new ByteArrayInputStream(Contexts.simple())));
    }

    @Test
    void upgrade_failingAtEveryStoreCall_leavesPluginAsItWas() {
        installFirst();
        everyFailure(storeFaults(), m -> m.upgrade("vol").remote(REMOTE + ":2").run());
    }

    @Test
    void upgrade_failingAtEveryRegistryCall_leavesPluginAsItWas() {
        installFirst();
        everyFailure(registryFaults(), m -> m.upgrade("vol").remote(REMOTE + ":2").run());
    }

    @Test
    void upgrade_failingApplier_leavesPluginAsItWas() {
        installFirst();
        everyFailure(applierFaults(), m -> m.upgrade("vol").remote(REMOTE + ":2").run());
    }

    private void installFirst() {
        try (PluginManager m = h.open()) {
            m.install(REMOTE + ":1").alias("vol").disabled().run();
        }
    }

    /** Installs a fault plan into the harness for failure number n. */
    private interface Plan extends Function<Integer, Faults> {
    }

    private Plan storeFaults() {
        return n -> {
            Faults f = new Faults(n, List.of(ContentWriter.class, ContentReader.class));
            h.storeWrapper = s -> f.wrap(ContentStore.class, s);
            h.resolverWrapper = r -> r;
            h.applierWrapper = a -> a;
            return f;
        };
    }

    private Plan registryFaults() {
        return n -> {
            Faults f = new Faults(n, List.of(Fetcher.class, Pusher.class));
            h.storeWrapper = s -> s;
            h.resolverWrapper = r -> f.wrap(RegistryResolver.class, r);
            h.applierWrapper = a -> a;
            return f;
        };
    }

    private Plan applierFaults() {
        return n -> {
            Faults f = new Faults(n, List.of());
            h.storeWrapper = s -> s;
            h.resolverWrapper = r -> r;
            h.applierWrapper = a -> f.wrap(RootfsApplier.class, a);
            return f;
        };
    }

    /**
     * Runs the operation with failure 1, 2, 3, ... until it succeeds; after every failure the root
     * and the listing must be unchanged.
     */
    private void everyFailure(Plan plan, Consumer<PluginManager> operation) {
        RootSnapshot before = RootSnapshot.of(h.root);
        List<Plugin> listed;
        try (PluginManager m = h.open()) {
            listed = m.list();
        }
        int failures = 0;
        for (int n = 1; n < 200; n++) {
            Faults faults = plan.apply(n);
            try (PluginManager m = h.open()) {
                try {
                    operation.accept(m);
                } catch (RuntimeException e) {
                    assertThat(faults.fired()).as("failure without injection: %s", e).isTrue();
                    failures++;
                    assertThat(RootSnapshot.of(h.root)).as("root after failure at call %d: %s", n, e).isEqualTo(before);
                    assertThat(m.list()).as("listing after failure at call %d", n).isEqualTo(listed);
                    continue;
                }
                assertThat(faults.fired()).as("the operation succeeded with call %d failing", n).isFalse();
                assertThat(failures).as("failures injected before success").isGreaterThan(0);
                return;
            }
        }
        throw new AssertionError("the operation never succeeded");
    }
}
