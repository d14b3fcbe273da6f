package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.PluginManager;
import dev.berth.content.ContentReader;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.exception.ConflictException;
import dev.berth.exception.ForbiddenException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PluginException;
import dev.berth.exception.UnauthorizedException;
import dev.berth.exception.UnavailableException;
import dev.berth.plugin.Plugin;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.runtime.PluginRuntime;
import dev.berth.testkit.registry.FakeRegistry;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The facade's exception contract (set is not driven: it calls none of the collaborators that can be
 * wrapped, only the root): whatever a store, registry, applier or runtime throws at any of its
 * calls (an {@code IOException}, an {@code UncheckedIOException}, a plain {@code RuntimeException}, a
 * registry auth failure), every operation fails with a {@link PluginException}, and one whose category
 * has a class of its own is an instance of that class.
 */
class ExceptionContractTest {
    static final String REMOTE = "localhost:5000/test/vol";
    static final String PUSHED = "localhost:5000/test/made:latest";

    enum Part { STORE, REGISTRY, APPLIER, RUNTIME }

    /** An operation, what must hold before it (made with a manager without faults), and what it uses. */
    record Case(String name, Consumer<PluginManager> prepare, Consumer<PluginManager> operation, Set<Part> parts) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    Path temp;
    Path execRoot;
    Harness h;
    final FakePluginRuntime runtime = new FakePluginRuntime("p.sock", "VolumeDriver");

    @BeforeEach
    void setUp() throws IOException {
        execRoot = Files.createTempDirectory(Path.of("/tmp"), "bx");
        h = new Harness(temp.resolve("plugins"), execRoot);
        h.publish(REMOTE + ":1", Contexts.tar(Contexts.config(), Map.of("v", "1", "bin/a", "a")));
        h.publish(REMOTE + ":2", Contexts.tar(Contexts.config(), Map.of("v", "2", "bin/b", "b")));
    }

    @AfterEach
    void tearDown() throws IOException {
        h.runtime = runtime;
        h.storeWrapper = s -> s;
        h.resolverWrapper = r -> r;
        h.applierWrapper = a -> a;
        try (PluginManager m = h.open()) {
            m.list().forEach(p -> m.remove(p.id(), true));
        }
        try (var walk = Files.walk(execRoot)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                new Case("privileges", m -> { }, m -> m.privileges(REMOTE + ":1"), Set.of(Part.REGISTRY, Part.STORE)),
                new Case("install", m -> absent(m), m -> m.install(REMOTE + ":1").alias("vol").disabled().run(),
                        Set.of(Part.STORE, Part.REGISTRY, Part.APPLIER)),
                new Case("install and enable", m -> absent(m),
                        m -> m.install(REMOTE + ":1").alias("vol").grantAllPrivileges().run(), Set.of(Part.RUNTIME)),
                new Case("create", m -> { }, m -> m.create("made", new ByteArrayInputStream(Contexts.simple())),
                        Set.of(Part.STORE, Part.APPLIER)),
                new Case("push", m -> {
                    if (m.list().stream().noneMatch(p -> p.name().equals(PUSHED))) {
                        m.create(PUSHED, new ByteArrayInputStream(Contexts.simple()));
                    }
                }, m -> m.push(PUSHED), Set.of(Part.STORE, Part.REGISTRY)),
                new Case("upgrade", m -> disabled(m), m -> m.upgrade("vol").remote(REMOTE + ":2").run(),
                        Set.of(Part.STORE, Part.REGISTRY, Part.APPLIER)),
                new Case("enable", m -> disabled(m), m -> m.enable("vol", Duration.ofSeconds(5)), Set.of(Part.RUNTIME)),
                new Case("disable", m -> enabled(m), m -> m.disable("vol", true), Set.of(Part.RUNTIME)),
                new Case("remove", m -> enabled(m), m -> m.remove("vol", true), Set.of(Part.RUNTIME, Part.STORE)),
                new Case("gc", m -> disabled(m), PluginManager::gc, Set.of(Part.STORE)));
        List<Arguments> out = new ArrayList<>();
        for (Case c : cases) {
            for (Part part : c.parts()) {
                for (Faults.Kind kind : List.of(Faults.Kind.IO, Faults.Kind.UNCHECKED_IO, Faults.Kind.RUNTIME)) {
                    out.add(Arguments.of(c, part, kind));
                }
            }
        }
        out.add(Arguments.of(cases.get(0), Part.REGISTRY, Faults.Kind.REGISTRY_AUTH));
        out.add(Arguments.of(cases.get(1), Part.REGISTRY, Faults.Kind.REGISTRY_AUTH));
        out.add(Arguments.of(cases.get(4), Part.REGISTRY, Faults.Kind.REGISTRY_AUTH));
        return out.stream();
    }

    private static void absent(PluginManager m) {
        m.list().stream().filter(p -> p.name().equals("vol:latest")).forEach(p -> m.remove(p.id(), true));
    }

    private static Plugin disabled(PluginManager m) {
        Plugin p = m.list().stream().filter(x -> x.name().equals("vol:latest")).findFirst()
                .orElseGet(() -> m.install(REMOTE + ":1").alias("vol").disabled().run());
        return p.enabled() ? m.disable(p.id(), true) : p;
    }

    private static void enabled(PluginManager m) {
        Plugin p = disabled(m);
        m.enable(p.id(), Duration.ofSeconds(5));
    }

    @ParameterizedTest(name = "{0} with the {1} throwing {2}")
    @MethodSource("cases")
    void operation_faultAtEveryCall_throwsOnlyPluginExceptionsOfTheirCategorysClass(Case c, Part part, Faults.Kind kind) {
        List<String> seen = new ArrayList<>();
        boolean firedAny = false;
        for (int n = 1; n < 400; n++) {
            h.runtime = runtime;
            h.storeWrapper = s -> s;
            h.resolverWrapper = r -> r;
            h.applierWrapper = a -> a;
            try (PluginManager clean = h.open()) {
                c.prepare().accept(clean);
            }
            Faults faults = new Faults(n, List.of(ContentWriter.class, ContentReader.class, Fetcher.class, Pusher.class),
                    kind);
            switch (part) {
                case STORE -> h.storeWrapper = s -> faults.wrap(ContentStore.class, s);
                case REGISTRY -> h.resolverWrapper = r -> faults.wrap(RegistryResolver.class, r);
                case APPLIER -> h.applierWrapper = a -> faults.wrap(RootfsApplier.class, a);
                default -> h.runtime = faults.wrap(PluginRuntime.class, runtime);
            }
            List<RuntimeException> thrown = new ArrayList<>();
            PluginManager m = null;
            try {
                m = h.open();
                c.operation().accept(m);
            } catch (RuntimeException e) {
                thrown.add(e);
            } finally {
                if (m != null) {
                    try {
                        m.close(); // close is part of the facade too: stopping plugins goes through the runtime
                    } catch (RuntimeException e) {
                        thrown.add(e);
                    }
                }
            }
            firedAny |= faults.fired();
            for (RuntimeException e : thrown) {
                assertThat(faults.fired()).as("%s failed without an injected fault: %s", c, e).isTrue();
                assertContract(e, c + " with call " + n + " failing");
                seen.add(e.getClass().getSimpleName());
                if (kind == Faults.Kind.REGISTRY_AUTH && part == Part.REGISTRY) {
                    assertThat(e).isInstanceOf(UnauthorizedException.class).hasCauseInstanceOf(RegistryException.class);
                }
            }
            if (!thrown.isEmpty()) {
                continue;
            }
            if (!faults.fired()) {
                // Some operations survive every fault of a part (remove logs a failed stop and a failed GC):
                // the part must at least have been called, so the faults were really in the path.
                assertThat(firedAny).as("%s never called the %s", c, part).isTrue();
                return;
            }
        }
        throw new AssertionError(c + " never succeeded");
    }

    /** A PluginException, and for the categories with their own class, an instance of it. */
    static void assertContract(Throwable e, String what) {
        assertThat(e).as(what).isInstanceOf(PluginException.class);
        PluginException p = (PluginException) e;
        Class<?> expected = switch (p.category()) {
            case NOT_FOUND -> NotFoundException.class;
            case INVALID_PARAMETER -> InvalidParameterException.class;
            case CONFLICT -> ConflictException.class;
            case UNAUTHORIZED -> UnauthorizedException.class;
            case FORBIDDEN -> ForbiddenException.class;
            case UNAVAILABLE -> UnavailableException.class;
            case SYSTEM -> PluginException.class;
            case CANCELLED -> dev.berth.exception.CancelledException.class;
            case DEADLINE_EXCEEDED -> dev.berth.exception.DeadlineExceededException.class;
        };
        if (!(p instanceof dev.berth.exception.PrivilegesNotGrantedException)) {
            assertThat(e).as(what + ": category " + p.category()).isInstanceOf(expected);
        }
    }

    @Test
    void privileges_registryRefusesCredentials_isUnauthorizedException() {
        try (FakeRegistry registry = FakeRegistry.start().basicAuth("user", "secret")) {
            h.resolverWrapper = r -> HttpRegistryResolver.builder().build();
            try (PluginManager m = h.open()) {
                assertThatThrownBy(() -> m.privileges(registry.host() + "/test/vol:1"))
                        .isInstanceOf(UnauthorizedException.class)
                        .satisfies(e -> assertThat(((PluginException) e).category())
                                .isEqualTo(PluginException.Category.UNAUTHORIZED))
                        .cause().isInstanceOf(RegistryException.class)
                        .extracting(e -> ((RegistryException) e).reason()).isEqualTo(RegistryException.Reason.AUTH);
            }
        }
    }

    @Test
    void closedManager_everyOperation_throwsIllegalStateException() {
        PluginManager m = h.open();
        m.close();
        for (Consumer<PluginManager> op : List.<Consumer<PluginManager>>of(PluginManager::gc,
                x -> x.create("y", new ByteArrayInputStream(Contexts.simple())),
                x -> x.install(REMOTE + ":1").disabled().run(), x -> x.privileges(REMOTE + ":1"),
                x -> x.events().subscribe(dev.berth.event.EventFilter.ALL, e -> { }))) {
            assertThatThrownBy(() -> op.accept(m)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the plugin manager is closed");
        }
    }
}
