package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.exception.PluginException;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.RetryPolicy;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.FaultProxy;
import dev.berth.testkit.registry.ProxyFault;
import dev.berth.testkit.registry.RealRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install and push through {@link FaultProxy} in front of the real registry: under every fault the
 * operation either succeeds with verified content or fails with a typed {@link PluginException} within
 * a bound, leaves the root as it was, and the requests the proxy counts stay within the retry policy.
 * One registry for the class (each test its own repository) keeps the run short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileNetworkTest {
    /** 3 attempts, short backoff, Retry-After up to 2 s, 15 s in all. */
    static final RetryPolicy POLICY = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofSeconds(15));
    static final Duration IDLE = Duration.ofSeconds(2);
    static final Duration BOUND = Duration.ofSeconds(20);
    static final String BLOB = "/blobs/sha256:[0-9a-f]{64}";
    static final String MANIFEST = "/manifests/.+";
    static final String UPLOAD = "/blobs/uploads/.*";

    @TempDir
    static Path shared;
    RealRegistry registry;
    FaultProxy proxy;
    Path temp;
    String repo;
    /** The repository's path, {@code /v2/hostile/pN}, as a regex prefix. */
    String v2;
    /** The path of the layer blob, once published. */
    String layer;
    static final AtomicInteger SEQ = new AtomicInteger();
    /** The layer's one big file: ~200 KiB of incompressible text, so the gzip layer is about as big. */
    static final String BIG = Base64.getEncoder().encodeToString(randomBytes(150_000));

    @BeforeAll
    void startRegistry() throws IOException {
        registry = RealRegistry.plain(shared.resolve("registry"));
        proxy = FaultProxy.in(registry);
    }

    @AfterAll
    void stopRegistry() {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void fresh() throws IOException {
        proxy.clearRules();
        temp = Files.createDirectories(shared.resolve("t" + SEQ.incrementAndGet()));
        repo = proxy.host() + "/hostile/p" + SEQ.get();
        v2 = "/v2/hostile/p" + SEQ.get();
    }

    @AfterEach
    void noRulesLeft() {
        proxy.clearRules();
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(16);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static HttpRegistryResolver.Builder resolver() {
        return HttpRegistryResolver.builder().retry(POLICY).idleTimeout(IDLE).headerTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2));
    }

    PluginManager open(Path root, HttpRegistryResolver resolver) throws IOException {
        return PluginManager.builder().root(root).contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(resolver).rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create()).build();
    }

    /** Creates and pushes the test plugin (no faults) as {@code repo:1}. */
    void publish() throws IOException {
        Path root = temp.resolve("publisher");
        try (PluginManager m = open(root, resolver().build())) {
            Plugin p = m.create(repo + ":1", context());
            m.push(repo + ":1");
            PluginRecord record = PluginJson.decodeRecord(Files.readAllBytes(root.resolve(p.id()).resolve("config.json")));
            layer = v2 + "/blobs/" + record.blobsumsOrEmpty().get(0);
        }
    }

    /** Requests with {@code method} to this test's repository whose path after it matches {@code suffix}. */
    long count(String method, String suffix) {
        return proxy.count(method, v2 + suffix);
    }

    static ByteArrayInputStream context() {
        return new ByteArrayInputStream(Contexts.tar(Contexts.config(), Map.of("big", BIG, "bin/plugin", "x")));
    }

    /** What an install did: the outcome and how long it took. */
    record Outcome(Plugin plugin, PluginException error, Duration took) {
    }

    /** Installs {@code repo:1} into a fresh root under the bound; checks the content or the untouched root. */
    Outcome install(Consumer<FaultProxy> faults) throws IOException {
        publish();
        Path root = Files.createDirectories(temp.resolve("installer"));
        try (PluginManager m = open(root, resolver().build())) {
            RootSnapshot before = RootSnapshot.of(root);
            faults.accept(proxy);
            long start = System.nanoTime();
            Outcome o = assertTimeoutPreemptively(BOUND, () -> {
                try {
                    return new Outcome(m.install(repo + ":1").disabled().run(), null, Duration.ZERO);
                } catch (PluginException e) {
                    return new Outcome(null, e, Duration.ZERO);
                }
            });
            o = new Outcome(o.plugin(), o.error(), Duration.ofNanos(System.nanoTime() - start));
            proxy.clearRules();
            if (o.plugin() != null) {
                assertThat(Files.readString(root.resolve(o.plugin().id()).resolve("rootfs/big"))).isEqualTo(BIG);
            } else {
                assertThat(RootSnapshot.of(root)).as("root after %s", o.error().toString()).isEqualTo(before);
                assertThat(m.list()).isEmpty();
            }
            report(o);
            return o;
        }
    }

    void report(Outcome o) {
        System.out.printf("MEASURE %s: %s in %d ms; GET blob %d, HEAD manifest %d, GET manifest %d, PUT %d%n",
                Thread.currentThread().getStackTrace()[3].getMethodName(),
                o.plugin() != null ? "ok" : o.error().getClass().getSimpleName(), o.took().toMillis(),
                count("GET", BLOB), count("HEAD", MANIFEST), count("GET", MANIFEST), count("PUT", UPLOAD));
    }

    long layerGets() {
        return proxy.count("GET", layer);
    }

    // ---- install ----

    @Test
    void install_resetMidLayer_resumesWithRange() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).apply(ProxyFault.reset(64 << 10)));
        assertThat(o.error()).isNull();
        // the cut layer once more, ranged from where it was cut
        assertThat(layerGets()).isEqualTo(2);
        assertThat(proxy.exchanges().stream().filter(e -> e.ranged() && e.path().equals(layer)).count()).isEqualTo(1);
    }
}
