package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.exception.DeadlineExceededException;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.PluginException;
import dev.berth.exception.UnavailableException;
import dev.berth.remote.RegistryException;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.registry.CredentialProvider;
import dev.berth.registry.Credentials;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.RetryPolicy;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.FaultProxy;
import dev.berth.testkit.registry.ProxyFault;
import dev.berth.testkit.registry.RealRegistry;
import dev.berth.testkit.registry.TokenServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
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
        proxy = proxyIn(registry);
    }

    /** The hostile network in front of {@code registry}: plain http here, TLS in {@link HostileNetworkTlsTest}. */
    FaultProxy proxyIn(RealRegistry registry) throws IOException {
        return FaultProxy.in(registry);
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

    String testName;
    /** How many requests the proxy had seen when this test began. */
    int mark;
    /** The repository, its path and its layer's path, published once for all install tests of the class. */
    String[] published;

    @BeforeEach
    void fresh(TestInfo info) throws IOException {
        testName = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("?");
        proxy.clearRules();
        temp = Files.createDirectories(shared.resolve("t" + SEQ.incrementAndGet()));
        repo = proxy.host() + "/hostile/p" + SEQ.get();
        v2 = "/v2/hostile/p" + SEQ.get();
        mark = proxy.exchanges().size();
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

    HttpRegistryResolver.Builder resolver() {
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
        publish(resolver().build());
    }

    void publish(HttpRegistryResolver resolver) throws IOException {
        Path root = temp.resolve("publisher");
        try (PluginManager m = open(root, resolver)) {
            Plugin p = m.create(repo + ":1", context());
            m.push(repo + ":1");
            PluginRecord record = PluginJson.decodeRecord(Files.readAllBytes(root.resolve(p.id()).resolve("config.json")));
            layer = v2 + "/blobs/" + record.blobsumsOrEmpty().get(0);
        }
    }

    /** Publishes for the install tests once; every install test reads that repository. */
    void publishOnce() throws IOException {
        if (published == null) {
            repo = proxy.host() + "/hostile/installed";
            v2 = "/v2/hostile/installed";
            publish();
            published = new String[] {repo, v2, layer};
        }
        repo = published[0];
        v2 = published[1];
        layer = published[2];
        mark = proxy.exchanges().size();
    }

    /** Requests since this test began with {@code method} to its repository whose path after it matches {@code suffix}. */
    long count(String method, String suffix) {
        return since(method, v2 + suffix);
    }

    long since(String method, String pathRegex) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(pathRegex);
        List<FaultProxy.Exchange> all = proxy.exchanges();
        return all.subList(mark, all.size()).stream()
                .filter(e -> e.method().equals(method) && p.matcher(e.path()).matches()).count();
    }

    static ByteArrayInputStream context() {
        return new ByteArrayInputStream(Contexts.tar(Contexts.config(), Map.of("big", BIG, "bin/plugin", "x")));
    }

    /** What an install did: the outcome and how long it took. */
    record Outcome(Plugin plugin, PluginException error, Duration took) {
    }

    /** Installs {@code repo:1} into a fresh root under the bound; checks the content or the untouched root. */
    Outcome install(Consumer<FaultProxy> faults) throws IOException {
        return install(resolver().build(), faults);
    }

    Outcome install(HttpRegistryResolver resolver, Consumer<FaultProxy> faults) throws IOException {
        publishOnce();
        Path root = Files.createDirectories(temp.resolve("installer"));
        try (PluginManager m = open(root, resolver)) {
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
                testName,
                o.plugin() != null ? "ok" : o.error().getClass().getSimpleName(), o.took().toMillis(),
                count("GET", BLOB), count("HEAD", MANIFEST), count("GET", MANIFEST), count("PUT", UPLOAD));
    }

    long layerGets() {
        return since("GET", java.util.regex.Pattern.quote(layer));
    }

    // ---- install ----

    @Test
    void install_resetMidLayer_resumesWithRange() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).apply(ProxyFault.reset(64 << 10)));
        assertThat(o.error()).isNull();
        // the cut layer once more, ranged from where it was cut
        assertThat(layerGets()).isEqualTo(2);
        List<FaultProxy.Exchange> all = proxy.exchanges();
        assertThat(all.subList(mark, all.size()).stream().filter(e -> e.ranged() && e.path().equals(layer)).count())
                .isEqualTo(1);
    }

    @Test
    void install_layerStalledMidway_extractionRunsWhileItDownloads_thenTheDownloadResumes() throws Exception {
        // One pass: the applier reads the layer as it arrives. While the registry stalls after 120 KiB,
        // the first file of the layer is already being written, before the ranged request that resumes it.
        java.util.concurrent.atomic.AtomicBoolean seenMidDownload = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Path staging = temp.resolve("installer/tmp");
        Thread watcher = new Thread(() -> {
            while (!stop.get() && !seenMidDownload.get()) {
                boolean resumed = proxy.exchanges().stream().anyMatch(e -> e.ranged() && e.path().equals(layer));
                try (java.util.stream.Stream<Path> work = Files.isDirectory(staging) ? Files.list(staging)
                        : java.util.stream.Stream.empty()) {
                    if (!resumed && work.anyMatch(w -> Files.exists(w.resolve("rootfs/big")))) {
                        seenMidDownload.set(true);
                    }
                } catch (IOException | java.io.UncheckedIOException raced) {
                    // a work directory came or went while listed
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        });
        watcher.start();
        try {
            Outcome o = install(p -> p.on("GET", layer).apply(new ProxyFault.Stall(120 << 10)));
            assertThat(o.error()).isNull();
        } finally {
            stop.set(true);
            watcher.join();
        }
        assertThat(seenMidDownload).as("a file of the layer written while its download stalled").isTrue();
        assertThat(layerGets()).isEqualTo(2);
    }

    @Test
    void install_resetBeforeTheManifestAnswer_retriedWithinThePolicy() throws IOException {
        Outcome o = install(p -> p.on("HEAD", v2 + MANIFEST).times(2).apply(ProxyFault.reset(-1)));
        assertThat(o.error()).isNull();
        assertThat(count("HEAD", MANIFEST)).isEqualTo(POLICY.maxAttempts());
    }

    @Test
    void install_resetBeforeTheManifestAnswerEveryTime_failsAfterMaxAttempts() throws IOException {
        Outcome o = install(p -> p.on("HEAD", v2 + MANIFEST).times(100).apply(ProxyFault.reset(-1)));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        assertThat(count("HEAD", MANIFEST)).isEqualTo(POLICY.maxAttempts());
    }

    @Test
    void install_resetMidLayerEveryTime_failsAfterTheResumeLimit() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).times(100).apply(ProxyFault.reset(16 << 10)));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        // the first GET and five resumes (HttpRegistryResolver.MAX_RESUMES), each making progress
        assertThat(layerGets()).isEqualTo(6);
    }

    @Test
    void install_truncatedLayer_resumes() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).apply(new ProxyFault.Truncate(100_000)));
        assertThat(o.error()).isNull();
        assertThat(layerGets()).isEqualTo(2);
    }

    @Test
    void install_stalledLayer_resumesAfterTheIdleTimeout() throws IOException {
        Duration idle = Duration.ofSeconds(1);
        Outcome o = install(resolver().idleTimeout(idle).build(),
                p -> p.on("GET", layer).apply(new ProxyFault.Stall(50_000)));
        assertThat(o.error()).isNull();
        assertThat(layerGets()).isEqualTo(2);
        assertThat(o.took()).isGreaterThanOrEqualTo(idle).isLessThan(idle.multipliedBy(4));
    }

    @Test
    void install_stalledEveryTime_failsAfterNoProgressResumes() throws IOException {
        Outcome o = install(resolver().idleTimeout(Duration.ofSeconds(1)).build(),
                p -> p.on("GET", layer).times(100).apply(new ProxyFault.Stall(0)));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        // the third GET in a row without progress ends it (HttpRegistryResolver.MAX_NO_PROGRESS_RESUMES)
        assertThat(layerGets()).isEqualTo(3);
    }

    @Test
    void install_drip_completes() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).apply(new ProxyFault.Drip(1 << 20)));
        assertThat(o.error()).isNull();
        assertThat(layerGets()).isEqualTo(1);
    }

    @Test
    void install_dripSlowerThanTheDeadline_failsAtTheDeadline() throws IOException {
        publishOnce();
        Path root = Files.createDirectories(temp.resolve("installer"));
        try (PluginManager m = open(root, resolver().build())) {
            RootSnapshot before = RootSnapshot.of(root);
            proxy.on("GET", layer).apply(new ProxyFault.Drip(20_000));
            long start = System.nanoTime();
            assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                    () -> m.install(repo + ":1").disabled().deadline(Duration.ofMillis(1500)).run())
                    .isInstanceOf(DeadlineExceededException.class));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            report(new Outcome(null, new DeadlineExceededException("deadline"), took));
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(RootSnapshot.of(root)).isEqualTo(before);
        }
    }

    @Test
    void install_duplicatedLayerBytes_failsAsADigestMismatch() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).times(100).apply(new ProxyFault.Duplicate(70_000, 1000)));
        assertThat(o.error()).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void install_reorderedLayerBytes_failsAsADigestMismatch() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).times(100).apply(new ProxyFault.Reorder(70_000, 1000)));
        assertThat(o.error()).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void install_503Burst_retriedWithinThePolicy() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).times(2).apply(ProxyFault.status(503)));
        assertThat(o.error()).isNull();
        assertThat(layerGets()).isEqualTo(3);
    }

    @Test
    void install_429BurstLongerThanThePolicy_failsAfterMaxAttemptsHonouringRetryAfter() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).times(100).apply(ProxyFault.retryAfter(429, "1")));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        assertThat(layerGets()).isEqualTo(POLICY.maxAttempts());
        assertThat(o.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(POLICY.maxAttempts() - 1));
    }

    @Test
    void install_retryAfterBeyondTheCap_failsAtOnce() throws IOException {
        Outcome o = install(p -> p.on("GET", layer).apply(ProxyFault.retryAfter(503, "3600")));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        assertThat(layerGets()).isEqualTo(1);
        assertThat(o.took()).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void install_shiftedContentRangeOnTheResume_isRefused() throws IOException {
        Outcome o = install(p -> {
            p.on("GET", layer).apply(ProxyFault.reset(64 << 10));
            p.on("GET", layer).ranged().times(100).apply(new ProxyFault.ShiftContentRange(7));
        });
        assertThat(o.error()).isInstanceOf(RegistryException.class);
        assertThat(((RegistryException) o.error()).reason()).isEqualTo(RegistryException.Reason.PROTOCOL);
        assertThat(layerGets()).isEqualTo(2);
    }

    // ---- push ----

    /** Creates {@code repo:1} in a fresh root and pushes it under the bound; checks it by installing it back. */
    Outcome push(HttpRegistryResolver resolver, Consumer<FaultProxy> faults) throws IOException {
        Path root = temp.resolve("pusher");
        try (PluginManager m = open(root, resolver)) {
            m.create(repo + ":1", context());
            RootSnapshot before = RootSnapshot.of(root);
            faults.accept(proxy);
            long start = System.nanoTime();
            Outcome o = assertTimeoutPreemptively(BOUND, () -> {
                try {
                    PushedPlugin pushed = m.push(repo + ":1");
                    assertThat(pushed.digest()).isNotNull();
                    return new Outcome(m.inspect(repo + ":1"), null, Duration.ZERO);
                } catch (PluginException e) {
                    return new Outcome(null, e, Duration.ZERO);
                }
            });
            o = new Outcome(o.plugin(), o.error(), Duration.ofNanos(System.nanoTime() - start));
            proxy.clearRules();
            report(o);
            if (o.error() != null) {
                assertThat(RootSnapshot.of(root).withoutJournal()).isEqualTo(before.withoutJournal());
                return o;
            }
        }
        Path check = temp.resolve("check");
        try (PluginManager m = open(check, resolver().build())) {
            Plugin p = m.install(repo + ":1").disabled().run();
            assertThat(Files.readString(check.resolve(p.id()).resolve("rootfs/big"))).isEqualTo(BIG);
        }
        return new Outcome(null, null, Duration.ZERO);
    }

    @Test
    void push_503BurstOnTheBlobPut_retriedWithinThePolicy() throws IOException {
        Outcome o = push(resolver().build(), p -> p.on("PUT", v2 + UPLOAD).times(2).apply(ProxyFault.status(503)));
        assertThat(o.error()).isNull();
        assertThat(count("PUT", UPLOAD)).isEqualTo(2 + 2); // config and layer, one of them twice more
    }

    @Test
    void push_503OnEveryBlobPut_failsWithinThePolicyAndLeavesTheRoot() throws IOException {
        Outcome o = push(resolver().build(), p -> p.on("PUT", v2 + UPLOAD).times(100).apply(ProxyFault.status(503)));
        assertThat(o.error()).isInstanceOf(UnavailableException.class);
        // config and layer upload side by side: each blob's PUT is tried at most maxAttempts times
        assertThat(count("PUT", UPLOAD)).isBetween((long) POLICY.maxAttempts(), 2L * POLICY.maxAttempts());
        assertThat(count("PUT", MANIFEST)).isZero();
    }

    @Test
    void push_blobPutAnswerLost_succeeds() throws IOException {
        Outcome o = push(resolver().build(), p -> p.on("PUT", v2 + UPLOAD).apply(ProxyFault.reset(-1)));
        assertThat(o.error()).isNull();
    }

    volatile Duration restartTook = Duration.ZERO;

    void restart() throws IOException {
        long start = System.nanoTime();
        registry.restart();
        restartTook = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("MEASURE registry restart took %d ms%n", restartTook.toMillis());
    }

    /**
     * Requests beside the one that restarts the registry get 502 from the proxy meanwhile: with at least
     * 2.1 s of backoff (6 attempts, each wait at least half of 400 ms doubling up to 1 s) they outlast it.
     */
    HttpRegistryResolver restartTolerant() {
        return resolver().retry(new RetryPolicy(6, Duration.ofMillis(400), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(15))).build();
    }

    @Test
    void push_registryRestartedBeforeTheBlobPut_succeeds() throws IOException {
        Outcome o = push(restartTolerant(), p -> p.on("PUT", v2 + UPLOAD).apply(new ProxyFault.BeforeForward(this::restart)));
        assertThat(o.error()).isNull();
        assertThat(restartTook).isLessThan(Duration.ofMillis(2100));
    }

    @Test
    void push_registryRestartedBeforeTheManifestPut_succeeds() throws IOException {
        Outcome o = push(restartTolerant(), p -> p.on("PUT", v2 + MANIFEST).apply(new ProxyFault.BeforeForward(this::restart)));
        assertThat(o.error()).isNull();
    }

    @Test
    void push_chunkAnswerLost_succeeds() throws IOException {
        HttpRegistryResolver chunked = resolver().chunkedUploadThreshold(64 << 10).chunkSize(32 << 10).build();
        Outcome o = push(chunked, p -> p.on("PATCH", v2 + UPLOAD).apply(ProxyFault.reset(-1)));
        assertThat(o.error()).isNull();
    }

    // ---- token auth ----

    /** A token server, a registry that trusts it and a proxy in front, for the token tests (started on first use). */
    TokenServer tokens;
    RealRegistry tokenRegistry;
    FaultProxy tokenProxy;

    void startTokenRegistry() throws IOException {
        if (tokens == null) {
            tokens = startTokens(shared.resolve("tokens"));
            tokenRegistry = RealRegistry.token(shared.resolve("token-registry"), tokens);
            tokenProxy = proxyIn(tokenRegistry);
        }
        tokenProxy.clearRules();
    }

    /** The token server, which the client reaches directly: plain http here, https in {@link HostileNetworkTlsTest}. */
    TokenServer startTokens(Path dir) throws IOException {
        return TokenServer.start(dir, Map.of("u", "p"), true);
    }

    @AfterAll
    void stopTokenRegistry() {
        if (tokenProxy != null) {
            tokenProxy.close();
        }
        if (tokenRegistry != null) {
            tokenRegistry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void install_tokenExpiresMidLayer_reauthorizesOnTheResume() throws IOException {
        startTokenRegistry();
        TokenServer tokens = this.tokens;
        RealRegistry reg = tokenRegistry;
        FaultProxy px = tokenProxy;
        {
            String saved = repo;
            repo = px.host() + "/hostile/token";
            v2 = "/v2/hostile/token";
            HttpRegistryResolver pushing = resolver().retry(POLICY)
                    .credentials(CredentialProvider.of(Map.of(px.host(), Credentials.basic("u", "p")))).build();
            try {
                tokens.tokenLifetime(Duration.ofSeconds(300), Duration.ofSeconds(300));
                publish(pushing);
                // tokens the registry accepts for (at most) two seconds but that say they last five minutes
                tokens.tokenLifetime(Duration.ofSeconds(2), Duration.ofSeconds(300));
                Path root = Files.createDirectories(temp.resolve("token-installer"));
                int tokenRequests = tokens.requests().size();
                // the layer stalls for the idle timeout, by when the token the client holds has expired
                px.on("GET", layer).apply(new ProxyFault.Stall(50_000));
                long start = System.nanoTime();
                try (PluginManager m = open(root, resolver().build())) {
                    Plugin plugin = assertTimeoutPreemptively(BOUND, () -> m.install(repo + ":1").disabled().run());
                    assertThat(Files.readString(root.resolve(plugin.id()).resolve("rootfs/big"))).isEqualTo(BIG);
                }
                long took = (System.nanoTime() - start) / 1_000_000;
                // stalled, refused with 401 (expired), then resumed with a fresh token; on a machine slow
                // enough for the token to expire before the first layer GET, that GET is refused once too
                assertThat(px.count("GET", layer)).isBetween(3L, 4L);
                assertThat(px.exchanges().stream().filter(e -> e.path().equals(layer) && e.ranged()).count())
                        .isEqualTo(2);
                assertThat(tokens.requests().size() - tokenRequests).as("token requests").isBetween(2, 3);
                assertThat(reg.log()).contains("token not to be used after");
                System.out.printf("MEASURE %s: ok in %d ms; GET layer %d, token requests %d%n", testName, took,
                        px.count("GET", layer), tokens.requests().size() - tokenRequests);
            } finally {
                repo = saved;
                tokens.tokenLifetime(Duration.ofSeconds(300), Duration.ofSeconds(300));
            }
        }
    }

    @Test
    void push_tokenExpiresBeforeTheBlobPut_reauthorizesAndSendsAgain() throws IOException {
        startTokenRegistry();
        RealRegistry reg = tokenRegistry;
        FaultProxy px = tokenProxy;
        tokens.tokenLifetime(Duration.ofSeconds(2), Duration.ofSeconds(300));
        try {
            String name = px.host() + "/hostile/token-push:1";
            HttpRegistryResolver pushing = resolver()
                    .credentials(CredentialProvider.of(Map.of(px.host(), Credentials.basic("u", "p")))).build();
            Path root = temp.resolve("token-pusher");
            try (PluginManager m = open(root, pushing)) {
                m.create(name, context());
                // the blob PUTs are held until the token the client holds has expired: 401, new token, sent again
                px.on("PUT", "/v2/hostile/token-push/blobs/uploads/.+").times(2).apply(new ProxyFault.BeforeForward(() -> Thread.sleep(2500)));
                long expiredBefore = reg.log().lines().filter(l -> l.contains("token not to be used after")).count();
                long start = System.nanoTime();
                assertTimeoutPreemptively(BOUND, () -> m.push(name));
                long took = (System.nanoTime() - start) / 1_000_000;
                long puts = px.count("PUT", "/v2/hostile/token-push/blobs/uploads/.+");
                assertThat(puts).as("blob PUTs: two refused, two sent again").isEqualTo(4);
                assertThat(reg.log().lines().filter(l -> l.contains("token not to be used after")).count())
                        .isGreaterThan(expiredBefore);
                System.out.printf("MEASURE %s: ok in %d ms; blob PUT %d, token requests %d%n", testName, took, puts,
                        tokens.requests().size());
            }
            tokens.tokenLifetime(Duration.ofSeconds(300), Duration.ofSeconds(300));
            Path check = temp.resolve("token-check");
            try (PluginManager m = open(check, pushing)) {
                Plugin p = m.install(name).disabled().run();
                assertThat(Files.readString(check.resolve(p.id()).resolve("rootfs/big"))).isEqualTo(BIG);
            }
        } finally {
            tokens.tokenLifetime(Duration.ofSeconds(300), Duration.ofSeconds(300));
        }
    }
}
