package dev.berth.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.exception.ReadOnlyException;
import dev.berth.oci.Digest;
import dev.berth.plugin.Plugin;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.store.FileContentStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A read-only Berth manager on a copy of the plugin root a real dockerd wrote (one plugin installed from
 * a registry, one created from a context, plus a blob no plugin uses) refuses every changing call with a
 * {@link ReadOnlyException}, and the copy (records, rootfs, content store) is byte for byte, mode and
 * modification time what it was before each call. Needs what {@link DockerHarness} needs; skips loudly
 * otherwise (fails under CI=true).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadOnlyDockerRootTest {
    private DockerHarness docker;
    private Path copy;
    private String installed;
    private String created;

    @BeforeAll
    void dockerWritesARoot() throws IOException, InterruptedException {
        Optional<String> missing = DockerHarness.missing();
        if (missing.isPresent()) {
            unavailable(missing.get());
        }
        try {
            docker = DockerHarness.start();
        } catch (IOException | RuntimeException e) {
            unavailable("the private dockerd did not start: " + e.getMessage());
        }
        Contexts contexts = new Contexts(Files.createDirectories(docker.base().resolve("ro-contexts")));
        Shape shape = Shape.all().get(5); // settable env and args: set has something to refuse
        installed = docker.registry() + "/ro/installed:1.0";
        created = docker.registry() + "/ro/created:1.0";
        run("plugin", "create", installed, contexts.context("ro-i", shape.configJson("installed"), "ro installed").toString());
        run("plugin", "push", installed);
        run("plugin", "rm", installed);
        run("plugin", "install", "--disable", "--grant-all-permissions", installed);
        run("plugin", "create", created, contexts.context("ro-c", shape.configJson("created"), "ro created").toString());
        copy = docker.base().resolve("ro-copy");
        Process cp = new ProcessBuilder("cp", "-a", docker.base().resolve("dk/root/plugins").toString(), copy.toString())
                .inheritIO().start();
        assertThat(cp.waitFor()).as("cp -a of dockerd's plugin root").isZero();
        byte[] stray = "a blob no plugin uses\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(copy.resolve("storage/blobs/sha256").resolve(Digest.sha256(stray).hex()), stray);
    }

    @AfterAll
    void stop() {
        if (docker != null) {
            docker.close();
        }
    }

    private void run(String... args) {
        Procs.Result r = docker.docker(args);
        assertThat(r.code()).as("docker " + String.join(" ", args) + ": " + r.err()).isZero();
    }

    private static void unavailable(String reason) {
        String message = "READ-ONLY DOCKER ROOT TEST NOT RUN: " + reason;
        System.err.println(message);
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: a skip is a failure)");
        }
        Assumptions.abort(message);
    }

    Stream<Map.Entry<String, Consumer<PluginManager>>> changingCalls() {
        return Stream.of(
                Map.entry("install", m -> m.install(installed).alias("again").disabled().run()),
                Map.entry("create", m -> m.create("made", new ByteArrayInputStream(new byte[0]))),
                Map.entry("set", m -> m.set(installed, List.of("DEBUG=1"))),
                Map.entry("enable", m -> m.enable(installed, Duration.ofSeconds(5))),
                Map.entry("disable", m -> m.disable(installed, true)),
                Map.entry("upgrade", m -> m.upgrade(installed).grantAllPrivileges().run()),
                Map.entry("remove", m -> m.remove(created, true)),
                Map.entry("gc", PluginManager::gc));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changingCalls")
    void changingCall_onACopyOfDockersRoot_isRefusedAndChangesNothing(Map.Entry<String, Consumer<PluginManager>> call)
            throws IOException {
        try (PluginManager m = PluginManager.builder().root(copy).readOnly(true)
                .contentStore(FileContentStore.open(copy.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create()).contextSplitter(TarContextSplitter.create())
                .build()) {
            assertThat(m.list()).extracting(Plugin::name).containsExactlyInAnyOrder(installed, created);
            Map<String, String> before = snapshot(copy);

            assertThatThrownBy(() -> call.getValue().accept(m)).isInstanceOf(ReadOnlyException.class)
                    .hasMessage("the plugin root " + copy + " is read-only: " + call.getKey() + " refused");

            assertThat(snapshot(copy)).as("the copy after a refused " + call.getKey()).isEqualTo(before);
        }
    }

    /** Every path with its type, permissions, modification time, size and SHA-256. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                    continue;
                }
                String meta = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + meta);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "file " + meta + " " + Files.size(p) + " " + Digest.sha256(Files.readAllBytes(p)));
                } else {
                    out.put(rel, "other " + meta);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
