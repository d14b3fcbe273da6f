package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.PluginManager;
import dev.berth.content.ContentStore;
import dev.berth.exception.ForbiddenException;
import dev.berth.exception.PluginException;
import dev.berth.exception.ReadOnlyException;
import dev.berth.oci.Digest;
import dev.berth.plugin.Plugin;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryResolver;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A read-only manager on a copy of a root that dockerd wrote (its plugin record, and the config and
 * manifest blobs of its content store, as captured from Docker 20.10 in the fixtures; running dockerd
 * from a core test is not possible, the CLI's interop suite does that) refuses every changing call
 * with a {@link ReadOnlyException} before it touches anything: the root and the store are byte for byte,
 * mode and modification time, what they were, and neither the registry nor the store was called.
 */
class ReadOnlyTest {
    static final String ID = "da599b8e0cbea36d52e6f3edd961d2d6064cf5e78c4063664418ee005801020f";
    static final String NAME = "localhost:5000/test/myplugin:1.0";
    static final Digest CONFIG = Digest.parse("sha256:9d41351b98b61953b2b277e843b64379f61414bbf586850c54566d276a90628d");
    static final Digest MANIFEST = Digest.parse("sha256:12322725ec18f02fe56688caa5a8e982cf4367278fee33a194163e14b29ef296");
    static final Digest UNUSED = Digest.parse("sha256:49acc0b324918bb44a83d3da83683e227cefac8c6e44de85b83d7967ac650c77");

    @TempDir
    Path temp;
    Path root;
    Harness h;
    Faults storeCalls;
    Faults registryCalls;
    PluginManager m;

    @BeforeEach
    void setUp() throws IOException {
        root = temp.resolve("plugins");
        Path dir = Files.createDirectories(root.resolve(ID));
        Files.write(dir.resolve("config.json"), fixture("dockerd-plugin-dir-config.after-create.json"));
        Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(dir.resolve("rootfs/bin/plugin"), "#!/bin/sh\n");
        Path blobs = Files.createDirectories(root.resolve("storage/blobs/sha256"));
        Files.createDirectories(root.resolve("storage/ingest"));
        Files.write(blobs.resolve(CONFIG.hex()), fixture("dockerd-content-store-config.after-create.json"));
        Files.write(blobs.resolve(MANIFEST.hex()), fixture("dockerd-content-store-manifest.after-create.json"));
        // A blob no plugin uses: a GC would delete it.
        Files.write(blobs.resolve(UNUSED.hex()), fixture("tiny-plugin-layer.tar.gz"));
        // Leftovers a writable open would clean up.
        Files.writeString(Files.createDirectories(root.resolve("tmp/build-1")).resolve("half"), "x");
        Files.createDirectories(root.resolve("0".repeat(64) + "-removing"));
        h = new Harness(root, Files.createTempDirectory(temp, "x"));
        h.runtime = new FakePluginRuntime("p.sock", "VolumeDriver");
    }

    @AfterEach
    void tearDown() {
        if (m != null) {
            m.close();
        }
    }

    private static byte[] fixture(String name) {
        try (InputStream in = ReadOnlyTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens read-only with the store and the registry counting their calls (none fails). */
    private PluginManager openReadOnly() {
        storeCalls = new Faults(Integer.MAX_VALUE, List.of(dev.berth.content.ContentWriter.class,
                dev.berth.content.ContentReader.class));
        registryCalls = new Faults(Integer.MAX_VALUE, List.of(Fetcher.class, Pusher.class));
        h.storeWrapper = s -> storeCalls.wrap(ContentStore.class, s);
        h.resolverWrapper = r -> registryCalls.wrap(RegistryResolver.class, r);
        m = h.openWith(b -> b.readOnly(true));
        return m;
    }

    static Stream<Map.Entry<String, Consumer<PluginManager>>> changingCalls() {
        return Stream.of(
                Map.entry("install", mm -> mm.install("localhost:5000/test/other:1").disabled().run()),
                Map.entry("install", mm -> mm.install("localhost:5000/test/other:1").grantAllPrivileges().run()),
                Map.entry("create", mm -> mm.create("made", new ByteArrayInputStream(Contexts.simple()))),
                Map.entry("set", mm -> mm.set(NAME, List.of("DEBUG=1"))),
                Map.entry("enable", mm -> mm.enable(NAME, Duration.ofSeconds(5))),
                Map.entry("disable", mm -> mm.disable(NAME, true)),
                Map.entry("upgrade", mm -> mm.upgrade(NAME).remote("localhost:5000/test/myplugin:2.0").grantAllPrivileges().run()),
                Map.entry("remove", mm -> mm.remove(NAME, false)),
                Map.entry("remove", mm -> mm.remove(ID.substring(0, 12), true)),
                Map.entry("gc", PluginManager::gc));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changingCalls")
    void changingCall_readOnly_isRefusedBeforeTouchingAnything(Map.Entry<String, Consumer<PluginManager>> call) {
        Map<String, String> before = snapshot(root);
        PluginManager mm = openReadOnly();
        assertThat(snapshot(root)).as("opening read-only changes nothing").isEqualTo(before);
        int storeBefore = storeCalls.calls();

        assertThatThrownBy(() -> call.getValue().accept(mm))
                .isInstanceOf(ReadOnlyException.class)
                .isInstanceOf(ForbiddenException.class)
                .hasMessage("the plugin root " + root + " is read-only: " + call.getKey() + " refused")
                .extracting(e -> ((PluginException) e).category()).isEqualTo(PluginException.Category.FORBIDDEN);

        assertThat(snapshot(root)).as("root and store after a refused " + call.getKey()).isEqualTo(before);
        assertThat(registryCalls.calls()).as("registry calls").isZero();
        assertThat(storeCalls.calls()).as("store calls").isEqualTo(storeBefore);
        assertThat(((FakePluginRuntime) h.runtime).containers()).isEmpty();
        assertThat(mm.inspect(NAME).enabled()).isFalse();
        assertThat(mm.list()).extracting(Plugin::id).containsExactly(ID);
    }

    @Test
    void gc_readOnly_keepsTheBlobNoPluginUses() {
        openReadOnly();
        assertThatThrownBy(m::gc).isInstanceOf(ReadOnlyException.class);
        assertThat(root.resolve("storage/blobs/sha256").resolve(UNUSED.hex())).exists();
    }

    @Test
    void push_readOnly_isNotRefusedAndChangesNothing() throws IOException {
        Path blobs = root.resolve("storage/blobs/sha256");
        Map<String, String> before = snapshot(root);
        openReadOnly();
        // Push only reads the root, so it runs; the fixtures lack dockerd's 1.4 MB layer, so it fails
        // reading that, after the config went out, as a NotFoundException and not as a refusal.
        assertThatThrownBy(() -> m.push(NAME)).isInstanceOf(dev.berth.exception.NotFoundException.class)
                .hasMessageContaining("sha256:144b4ad1bc17");
        assertThat(registryCalls.calls()).isPositive();
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(blobs.resolve(MANIFEST.hex())).exists();
    }

    @Test
    void push_readOnlyWithManifestMissing_isRefusedBeforeRebuildingIt() throws IOException {
        Files.delete(root.resolve("storage/blobs/sha256").resolve(MANIFEST.hex()));
        Map<String, String> before = snapshot(root);
        openReadOnly();
        assertThatThrownBy(() -> m.push(NAME)).isInstanceOf(ReadOnlyException.class)
                .hasMessage("the plugin root " + root + " is read-only: push of " + NAME
                        + " (its manifest must be rebuilt) refused");
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(registryCalls.calls()).isZero();
    }

    @Test
    void readOnly_stillReadsEverything() {
        openReadOnly();
        assertThat(m.inspect(NAME).id()).isEqualTo(ID);
        assertThat(m.inspect(ID.substring(0, 5)).settings().env()).containsExactly("DEBUG=0");
        assertThat(m.list(Map.of("enabled", List.of("false")))).hasSize(1);
        assertThat(m.events().journal()).isEmpty();
    }

    @Test
    void writableManager_onTheSameCopy_wouldHaveChangedIt() {
        // The control: without readOnly the same open and gc do change the root, so the snapshots can tell.
        Map<String, String> before = snapshot(root);
        m = h.open();
        m.gc();
        assertThat(snapshot(root)).isNotEqualTo(before);
        assertThat(root.resolve("storage/blobs/sha256").resolve(UNUSED.hex())).doesNotExist();
    }

    /** Every path with its type, permissions, modification time, size and SHA-256: byte equality. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                String meta = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + meta);
                } else {
                    out.put(rel, "file " + meta + " " + Files.size(p) + " " + Digest.sha256(Files.readAllBytes(p)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
