package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.GcResult;
import dev.berth.GetMode;
import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PluginException;
import dev.berth.exception.PrivilegesNotGrantedException;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnavailableException;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.Privileges;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginManagerTest {
    static final String REMOTE = "localhost:5000/test/vol";
    static final String REMOTE_TAGGED = "localhost:5000/test/vol:latest";
    static final String PRIVILEGED = "\"network\":{\"type\":\"host\"},\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]},"
            + "\"mounts\":[{\"name\":\"data\",\"destination\":\"/data\",\"source\":\"/var/lib/data\","
            + "\"type\":\"bind\",\"options\":[\"rbind\"],\"settable\":[\"source\"]}],"
            + "\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"},"
            + "{\"name\":\"TOKEN\",\"settable\":[\"value\"]},{\"name\":\"FIXED\",\"value\":\"x\"}],"
            + "\"args\":{\"name\":\"args\",\"settable\":[\"value\"],\"value\":[\"-v\"]}";

    @TempDir
    Path temp;
    Path execRoot;
    Harness h;
    PluginManager m;

    @BeforeEach
    void setUp() throws IOException {
        // Unix socket paths are short: keep the exec root near the file system root.
        execRoot = Files.createTempDirectory(Path.of("/tmp"), "bx");
        h = new Harness(temp.resolve("plugins"), execRoot);
    }

    @AfterEach
    void tearDown() {
        if (m != null) {
            m.close();
        }
        try (var walk = Files.walk(execRoot)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private PluginManager manager() {
        if (m == null) {
            m = h.open();
        }
        return m;
    }

    private Plugin create(String name, byte[] context) {
        return manager().create(name, new ByteArrayInputStream(context));
    }

    private PluginRecord record(Plugin p) throws IOException {
        return PluginJson.decodeRecord(Files.readAllBytes(h.root.resolve(p.id()).resolve("config.json")));
    }

    @Nested
    class Create {
        @Test
        void create_validContext_isOnDiskAndInspectable() throws IOException {
            Plugin p = create("localhost:5000/test/vol", Contexts.simple());

            assertThat(p.name()).isEqualTo(REMOTE_TAGGED);
            assertThat(p.enabled()).isFalse();
            assertThat(Plugin.isId(p.id())).isTrue();
            assertThat(manager().inspect(REMOTE)).isEqualTo(p);
            assertThat(Files.readString(h.root.resolve(p.id()).resolve("rootfs/bin/plugin"))).contains("echo hello");
            Path recordFile = h.root.resolve(p.id()).resolve("config.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(recordFile))).isEqualTo("rw-------");
            PluginRecord r = record(p);
            assertThat(r.plugin()).isEqualTo(p);
            assertThat(r.blobsums()).hasSize(1);
            assertThat(r.manifest()).isPresent();
            assertThat(p.config().rootfs()).hasValueSatisfying(rootfs -> {
                assertThat(rootfs.type()).isEqualTo("layers");
                // The real diff ID (uncompressed digest), not the compressed blob digest Docker writes.
                assertThat(rootfs.diffIds()).doesNotContain(r.blobsums().get(0).toString());
            });
            assertThat(h.actions()).containsExactly("create");
            assertThat(Files.list(h.root.resolve("tmp"))).isEmpty();
        }

        @Test
        void create_configBlob_isDockersEncodingWithNewline() throws IOException {
            Plugin p = create("x", Contexts.simple());
            Digest configDigest = record(p).config().orElseThrow();
            byte[] blob = Files.readAllBytes(h.root.resolve("storage/blobs/sha256/" + configDigest.hex()));
            assertThat(new String(blob, StandardCharsets.UTF_8)).endsWith("}\n").startsWith("{\"Args\":");
            assertThat(Digest.sha256(blob)).isEqualTo(configDigest);
        }

        @Test
        void create_takenName_conflictAndRootUnchanged() {
            create("x", Contexts.simple());
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> create("x:latest", Contexts.simple()))
                    .isInstanceOf(ConflictException.class).hasMessage("plugin x:latest already exists");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void create_missingConfig_failsAndLeavesNothing() {
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> create("x", Contexts.tar(null, Map.of("a", "b"))))
                    .isInstanceOf(PluginException.class).hasMessageContaining("config not found");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
            assertThat(manager().list()).isEmpty();
        }

        @Test
        void create_invalidConfigJson_invalidParameterAndLeavesNothing() {
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> create("x", Contexts.tar("{\"description\":", Map.of("a", "b"))))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("failed to parse config");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void create_nameWithDigest_rejected() {
            assertThatThrownBy(() -> create("x@sha256:" + "a".repeat(64), Contexts.simple()))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("canonical references");
        }

        @Test
        void create_upperCaseName_rejected() {
            assertThatThrownBy(() -> create("X", Contexts.simple())).isInstanceOf(InvalidParameterException.class);
        }
    }

    @Nested
    class Install {
        @Test
        void install_pushedPlugin_installsDisabledWithDockerNames() throws IOException {
            h.publish(REMOTE, Contexts.simple());
            Plugin p = manager().install(REMOTE).disabled().run();

            assertThat(p.name()).isEqualTo(REMOTE_TAGGED);
            assertThat(p.pluginReference()).isEqualTo(REMOTE_TAGGED);
            assertThat(p.enabled()).isFalse();
            PluginRecord r = record(p);
            assertThat(r.blobsums()).hasSize(1);
            assertThat(r.manifest()).isPresent();
            assertThat(Files.exists(h.root.resolve(p.id()).resolve("rootfs/bin/plugin"))).isTrue();
            assertThat(h.actions()).containsExactly("pull");
        }

        @Test
        void install_alias_usesLocalName() {
            h.publish(REMOTE, Contexts.simple());
            Plugin p = manager().install(REMOTE).alias("myvol").disabled().run();
            assertThat(p.name()).isEqualTo("myvol:latest");
            assertThat(manager().inspect("myvol").id()).isEqualTo(p.id());
        }

        @Test
        void install_byDigest_nameGetsLatest() {
            h.publish(REMOTE, Contexts.simple());
            Digest manifest = h.registry.tag(Reference.parse(REMOTE)).orElseThrow();
            Plugin p = manager().install(REMOTE + "@" + manifest).disabled().run();
            assertThat(p.name()).isEqualTo(REMOTE_TAGGED);
            assertThat(p.pluginReference()).isEqualTo(REMOTE + "@" + manifest);
        }

        @Test
        void install_privilegesNotGranted_failsAndRootUnchanged() {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("a", "b")));
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);

            assertThatThrownBy(() -> manager().install(REMOTE).disabled().run())
                    .isInstanceOf(PrivilegesNotGrantedException.class).hasMessageStartingWith("incorrect privileges");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void install_exactGrant_inAnyOrder_succeeds() {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("a", "b")));
            List<PluginPrivilege> asked = new ArrayList<>(manager().privileges(REMOTE));
            java.util.Collections.reverse(asked);
            assertThat(manager().install(REMOTE).grant(asked).disabled().run().name()).isEqualTo(REMOTE_TAGGED);
        }

        @Test
        void install_settings_appliedBeforeFirstEnable() {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("a", "b")));
            Plugin p = manager().install(REMOTE).grantAllPrivileges().setting("DEBUG=1", "TOKEN=t", "data.source=/srv")
                    .disabled().run();
            assertThat(p.settings().env()).containsExactly("DEBUG=1", "FIXED=x", "TOKEN=t");
            assertThat(p.settings().mounts().get(0).source()).isEqualTo("/srv");
        }

        @Test
        void install_takenName_conflict() {
            h.publish(REMOTE, Contexts.simple());
            manager().install(REMOTE).disabled().run();
            assertThatThrownBy(() -> manager().install(REMOTE).disabled().run())
                    .isInstanceOf(ConflictException.class).hasMessage("plugin " + REMOTE_TAGGED + " already exists");
        }

        @Test
        void install_unknownRemote_notFoundAndRootUnchanged() {
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().install("localhost:5000/nope").disabled().run())
                    .isInstanceOf(NotFoundException.class);
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void install_containerImage_refusedAsNotAPlugin() {
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            var configDesc = h.registry.putBlob(MediaTypes.DOCKER_IMAGE_CONFIG, config);
            byte[] manifest = dev.berth.internal.json.OciJson.encodeManifest(new dev.berth.oci.Manifest(2,
                    java.util.Optional.of(MediaTypes.DOCKER_MANIFEST_V2), configDesc, List.of(), Map.of()));
            h.registry.putManifest(Reference.parse("localhost:5000/img"), MediaTypes.DOCKER_MANIFEST_V2, manifest);
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().install("localhost:5000/img").disabled().run())
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("container image");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void install_enableWithoutRuntime_failsAndRemovesThePlugin() {
            h.publish(REMOTE, Contexts.simple());
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().install(REMOTE).run())
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("no plugin runtime");
            assertThat(manager().list()).isEmpty();
            // the journal keeps the pull and the remove that undid it: history, not plugin state
            assertThat(RootSnapshot.of(h.root).withoutJournal()).isEqualTo(before.withoutJournal());
            assertThat(manager().events().journal()).extracting(dev.berth.event.EventMessage::action)
                    .endsWith("pull", "remove");
        }

        @Test
        void install_concurrentSameName_oneWinsOtherConflicts() throws Exception {
            h.publish(REMOTE, Contexts.simple());
            manager();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Plugin>> results = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return manager().install(REMOTE).disabled().run();
                    }));
                }
                go.countDown();
                int ok = 0;
                int conflicts = 0;
                for (Future<Plugin> f : results) {
                    try {
                        f.get();
                        ok++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(ConflictException.class);
                        conflicts++;
                    }
                }
                assertThat(ok).isEqualTo(1);
                assertThat(conflicts).isEqualTo(1);
                assertThat(manager().list()).hasSize(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class LayerVerification {
        /** Republishes REMOTE under :bad with its config's diff_ids replaced. */
        private void republishWithDiffId(String diffId) {
            republishWithDiffId(m -> diffId);
        }

        /** The diff_id computed from the manifest actually published (a second publish may gzip differently). */
        private void republishWithDiffId(java.util.function.Function<dev.berth.oci.Manifest, String> diffIdOf) {
            h.publish(REMOTE, Contexts.simple());
            Reference ref = Reference.parse(REMOTE);
            Digest manifestDigest = h.registry.tag(ref).orElseThrow();
            var manifest = dev.berth.internal.json.OciJson.decodeManifest(
                    h.registry.blob(manifestDigest).orElseThrow(), MediaTypes.DOCKER_MANIFEST_V2);
            var config = PluginJson.decodeConfig(h.registry.blob(manifest.config().digest()).orElseThrow());
            byte[] bad = PluginJson.encodeConfigBlob(config.toBuilder()
                    .rootfs(new dev.berth.plugin.PluginRootfs(List.of(diffIdOf.apply(manifest)), "layers")).build());
            var configDesc = h.registry.putBlob(MediaTypes.DOCKER_PLUGIN_CONFIG, bad);
            byte[] m2 = dev.berth.internal.json.OciJson.encodeManifest(
                    dev.berth.oci.Manifest.dockerPlugin(configDesc, manifest.layers()));
            h.registry.putManifest(Reference.parse(REMOTE + ":bad"), MediaTypes.DOCKER_MANIFEST_V2, m2);
        }

        @Test
        void install_layerTheStoreHeldAndThatRottedOnDisk_refusedAndRootUnchanged()
                throws java.io.IOException {
            h.publish(REMOTE, Contexts.simple());
            manager().install(REMOTE).alias("first").disabled().run();
            Digest manifestDigest = h.registry.tag(Reference.parse(REMOTE)).orElseThrow();
            var manifest = dev.berth.internal.json.OciJson.decodeManifest(
                    h.registry.blob(manifestDigest).orElseThrow(), MediaTypes.DOCKER_MANIFEST_V2);
            java.nio.file.Path layer = h.root.resolve("storage/blobs/sha256/"
                    + manifest.layers().get(0).digest().hex());
            // same size, other bytes: only hashing what is read can tell
            byte[] bytes = Files.readAllBytes(layer);
            bytes[bytes.length / 2] ^= 0x01;
            layer.toFile().setWritable(true);
            Files.write(layer, bytes);
            RootSnapshot before = RootSnapshot.of(h.root);

            // the verifying read, gzip's CRC or the diff_id check: whichever notices first
            assertThatThrownBy(() -> manager().install(REMOTE).alias("second").disabled().run())
                    .isInstanceOfAny(dev.berth.exception.DigestMismatchException.class,
                            dev.berth.rootfs.ArchiveException.class);
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void install_diffIdMatchesNeitherDigest_refusedAndRootUnchanged() {
            republishWithDiffId("sha256:" + "0".repeat(64));
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().install(REMOTE + ":bad").disabled().run())
                    .isInstanceOf(dev.berth.exception.DigestMismatchException.class).hasMessageContaining("diff_id");
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void install_diffIdIsTheCompressedDigestAsDockerWrites_accepted() {
            // The compressed digest of the layer the :bad manifest names: read after the (re)publish, whose
            // gzip may differ from an earlier one when a second boundary passes between them.
            republishWithDiffId(m -> m.layers().get(0).digest().toString());
            assertThat(manager().install(REMOTE + ":bad").alias("ok").disabled().run().name()).isEqualTo("ok:latest");
        }
    }

    @Nested
    class PrivilegesOperation {
        @Test
        void privileges_inDockersOrder() {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("a", "b")));
            assertThat(manager().privileges(REMOTE)).extracting(PluginPrivilege::name)
                    .containsExactly("network", "mount", "capabilities");
        }

        @Test
        void privileges_unknownRemote_errorSurfaced() {
            assertThatThrownBy(() -> manager().privileges("localhost:5000/missing"))
                    .isInstanceOf(NotFoundException.class);
        }

        @Test
        void privileges_badReference_invalidParameter() {
            assertThatThrownBy(() -> manager().privileges("a/UPPER"))
                    .isInstanceOf(InvalidParameterException.class);
        }
    }

    @Nested
    class Resolve {
        @Test
        void inspect_byNameIdAndPrefix() {
            Plugin p = create("vieux/sshfs", Contexts.simple());
            assertThat(manager().inspect("vieux/sshfs").id()).isEqualTo(p.id());
            assertThat(manager().inspect("vieux/sshfs:latest").id()).isEqualTo(p.id());
            assertThat(manager().inspect("docker.io/vieux/sshfs").id()).isEqualTo(p.id());
            assertThat(manager().inspect(p.id()).id()).isEqualTo(p.id());
            assertThat(manager().inspect(p.id().substring(0, 1)).id()).isEqualTo(p.id());
        }

        @Test
        void inspect_ambiguousPrefix_invalidParameter() {
            List<String> ids = new ArrayList<>(List.of("ab" + "1".repeat(62), "ab" + "2".repeat(62)));
            m = dev.berth.PluginManager.builder().root(h.root).contentStore(open()).registryResolver(h.registry)
                    .rootfsApplier(dev.berth.archive.TarRootfsApplier.create())
                    .contextSplitter(dev.berth.archive.TarContextSplitter.create())
                    .idGenerator(() -> ids.remove(0)).build();
            create("one", Contexts.simple());
            create("two", Contexts.simple());
            assertThatThrownBy(() -> m.inspect("ab")).isInstanceOf(InvalidParameterException.class)
                    .hasMessage("multiple plugins found for \"ab\"");
            assertThat(m.inspect("ab1").name()).isEqualTo("one:latest");
        }

        @Test
        void inspect_unknownOrDigestOrGarbage_notFound() {
            create("x", Contexts.simple());
            assertThatThrownBy(() -> manager().inspect("y")).isInstanceOf(NotFoundException.class)
                    .hasMessage("plugin \"y\" not found");
            assertThatThrownBy(() -> manager().inspect("x@sha256:" + "a".repeat(64))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> manager().inspect("")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> manager().inspect("UPPER")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> manager().inspect("f".repeat(64))).isInstanceOf(NotFoundException.class);
        }

        private dev.berth.content.ContentStore open() {
            try {
                return dev.berth.store.FileContentStore.open(h.root.resolve("storage"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Nested
    class ListOperation {
        @Test
        void list_filters() {
            h.runtime = new FakePluginRuntime("p.sock", "VolumeDriver");
            create("a", Contexts.simple());
            create("b", Contexts.tar(Contexts.config("p.sock", "\"interface\":{\"types\":[\"docker.authz/1.0\"],\"socket\":\"p.sock\"}")
                    .replace("\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"},", ""), Map.of()));
            manager().enable("a", Duration.ofSeconds(5));

            assertThat(manager().list()).extracting(Plugin::name).containsExactly("a:latest", "b:latest");
            assertThat(manager().list(Map.of("enabled", List.of("true")))).extracting(Plugin::name).containsExactly("a:latest");
            assertThat(manager().list(Map.of("enabled", List.of("false")))).extracting(Plugin::name).containsExactly("b:latest");
            assertThat(manager().list(Map.of("capability", List.of("volume")))).extracting(Plugin::name).containsExactly("a:latest");
            assertThat(manager().list(Map.of("capability", List.of("authz")))).extracting(Plugin::name).containsExactly("b:latest");
        }

        @Test
        void list_badFilters_invalidParameter() {
            assertThatThrownBy(() -> manager().list(Map.of("name", List.of("x"))))
                    .isInstanceOf(InvalidParameterException.class).hasMessage("invalid filter 'name'");
            assertThatThrownBy(() -> manager().list(Map.of("enabled", List.of("1"))))
                    .isInstanceOf(InvalidParameterException.class).hasMessage("invalid filter 'enabled=[1]'");
            assertThatThrownBy(() -> manager().list(Map.of("capability", List.of("("))))
                    .isInstanceOf(InvalidParameterException.class);
        }
    }

    @Nested
    class Set {
        @Test
        void set_envMountArgs_savedAndSurviveReopen() throws IOException {
            Plugin p = create("x", Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of()));
            Plugin s = manager().set("x", List.of("DEBUG=1", "data.source=/srv/data", "args=-a -b"));

            assertThat(s.settings().env()).containsExactly("DEBUG=1", "FIXED=x");
            assertThat(s.settings().mounts().get(0).source()).isEqualTo("/srv/data");
            assertThat(s.config().mounts().get(0).source()).isEqualTo("/srv/data");
            assertThat(s.settings().args()).containsExactly("-a", "-b");
            assertThat(Privileges.of(s.config())).extracting(PluginPrivilege::value).contains(List.of("/srv/data"));
            m.close();
            m = null;
            assertThat(manager().inspect(p.id())).isEqualTo(s);
        }

        @Test
        void set_badArguments_changeNothing() {
            Plugin p = create("x", Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of()));
            assertThatThrownBy(() -> manager().set("x", List.of("DEBUG=1", "FIXED=y")))
                    .isInstanceOf(InvalidParameterException.class).hasMessage("\"FIXED\" is not settable");
            assertThatThrownBy(() -> manager().set("x", List.of("nope=1")))
                    .hasMessage("setting \"nope\" not found in the plugin configuration");
            assertThatThrownBy(() -> manager().set("x", List.of("=1")))
                    .hasMessageStartingWith("invalid format, must be <name>[.<field>][=<value>]");
            assertThatThrownBy(() -> manager().set("x", List.of("DEBUG.source=1")))
                    .hasMessage("\"DEBUG.source\" is not settable");
            assertThat(manager().inspect("x")).isEqualTo(p);
        }

        @Test
        void set_enabledPlugin_conflict() {
            h.runtime = new FakePluginRuntime("p.sock", "VolumeDriver");
            create("x", Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of()));
            manager().enable("x", Duration.ofSeconds(5));
            assertThatThrownBy(() -> manager().set("x", List.of("DEBUG=1")))
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("cannot set on an active plugin, disable plugin before setting");
        }
    }

    @Nested
    class EnableDisable {
        @BeforeEach
        void runtime() {
            h.runtime = new FakePluginRuntime("p.sock", "VolumeDriver");
        }

        @Test
        void enable_thenDisable_recordsAndEvents() throws IOException {
            Plugin p = create("x", Contexts.simple());
            Plugin on = manager().enable("x", Duration.ofSeconds(5));
            assertThat(on.enabled()).isTrue();
            assertThat(record(p).plugin().enabled()).isTrue();
            assertThat(record(p).rootfs()).isEqualTo(h.root.resolve(p.id()).resolve("rootfs").toAbsolutePath().toString());
            assertThat(manager().endpoint("x").socket()).isEqualTo(execRoot.resolve(p.id()).resolve("p.sock").toAbsolutePath());

            assertThatThrownBy(() -> manager().enable("x", Duration.ofSeconds(5))).isInstanceOf(ConflictException.class)
                    .hasMessage("plugin already enabled: plugin x:latest is enabled");

            Plugin off = manager().disable("x", false);
            assertThat(off.enabled()).isFalse();
            assertThat(record(p).plugin().enabled()).isFalse();
            assertThatThrownBy(() -> manager().disable("x", false)).isInstanceOf(ConflictException.class)
                    .hasMessage("plugin is already disabled: plugin x:latest found but disabled");
            assertThat(h.actions()).containsExactly("create", "enable", "disable");
        }

        @Test
        void get_refCounts_blockDisableAndRemoveUnlessForced() {
            create("x", Contexts.simple());
            manager().enable("x", Duration.ofSeconds(5));
            assertThat(manager().get("x", "VolumeDriver", GetMode.ACQUIRE).name()).isEqualTo("x:latest");
            assertThat(manager().refCount("x")).isEqualTo(1);
            assertThatThrownBy(() -> manager().get("x", "authz", GetMode.ACQUIRE)).isInstanceOf(SystemException.class)
                    .hasMessage("plugin does not provide \"authz\" capability");
            assertThat(manager().refCount("x")).isEqualTo(1);
            assertThatThrownBy(() -> manager().disable("x", false)).hasMessage("plugin x:latest is in use");
            assertThatThrownBy(() -> manager().remove("x", false)).hasMessage("plugin x:latest is in use");
            manager().get("x", "volumedriver", GetMode.RELEASE);
            assertThatThrownBy(() -> manager().remove("x", false)).hasMessage("plugin x:latest is enabled");
            manager().remove("x", true);
            assertThat(manager().list()).isEmpty();
            assertThat(((FakePluginRuntime) h.runtime).containers()).isEmpty();
        }

        @Test
        void get_disabledPlugin_conflict() {
            create("x", Contexts.simple());
            assertThatThrownBy(() -> manager().get("x", "volumedriver", GetMode.LOOKUP))
                    .isInstanceOf(ConflictException.class).hasMessage("plugin x:latest found but disabled");
        }

        @Test
        void enable_pluginNeverListens_failsAndStaysDisabled() throws IOException {
            Plugin p = create("x", Contexts.simple());
            ((FakePluginRuntime) h.runtime).behavior(FakePluginRuntime.Behavior.NEVER_LISTEN);
            assertThatThrownBy(() -> manager().enable("x", Duration.ofMillis(300))).isInstanceOf(PluginException.class);
            assertThat(manager().inspect("x").enabled()).isFalse();
            assertThat(record(p).plugin().enabled()).isFalse();
            assertThat(((FakePluginRuntime) h.runtime).containers()).isEmpty();
        }

        @Test
        void enable_runtimeFailsToStart_errorThenForcedRemoveSucceeds() {
            // Docker's TestCreateFailed.
            create("x", Contexts.simple());
            ((FakePluginRuntime) h.runtime).behavior(FakePluginRuntime.Behavior.FAIL_TO_START);
            assertThatThrownBy(() -> manager().enable("x", Duration.ofSeconds(5))).isInstanceOf(PluginException.class);
            manager().remove("x", true);
            assertThat(manager().list()).isEmpty();
        }

        @Test
        void reopen_liveRestore_reattachesToTheRunningPlugin() {
            // Docker's TestPluginAlreadyRunningOnStartup, live-restore mode.
            FakePluginRuntime rt = (FakePluginRuntime) h.runtime;
            m = h.openWith(b -> b.liveRestore(true));
            Plugin p = create("x", Contexts.simple());
            m.enable("x", Duration.ofSeconds(5));
            m.close();
            assertThat(rt.containers()).containsExactly(p.id());

            m = h.openWith(b -> b.liveRestore(true));

            assertThat(m.inspect("x").enabled()).isTrue();
            assertThat(rt.starts(p.id())).isEqualTo(1);
            assertThat(m.endpoint("x").socket().getFileName().toString()).isEqualTo("p.sock");
        }

        @Test
        void crashLoop_givesUpAfterPolicy_disablesAndPublishes() throws Exception {
            FakePluginRuntime rt = (FakePluginRuntime) h.runtime;
            m = h.openWith(b -> b.restartPolicy(new dev.berth.runtime.RestartPolicy(2, Duration.ofMillis(10),
                    Duration.ofMillis(20), Duration.ofMinutes(1))));
            Plugin p = create("x", Contexts.simple());
            m.enable("x", Duration.ofSeconds(5));
            rt.behavior(FakePluginRuntime.Behavior.EXIT_AT_ONCE);
            rt.crash(p.id());

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!h.actions().contains("die") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(h.actions()).contains("die");
            assertThat(m.inspect("x").enabled()).isFalse();
            assertThat(record(p).plugin().enabled()).isFalse();
            assertThat(rt.starts(p.id())).isEqualTo(3);
        }

        @Test
        void reopen_enabledPlugin_isStartedAgain() {
            create("x", Contexts.simple());
            manager().enable("x", Duration.ofSeconds(5));
            m.close();
            m = null;
            FakePluginRuntime rt = (FakePluginRuntime) h.runtime;
            assertThat(rt.containers()).isEmpty();
            Plugin p = manager().inspect("x");
            assertThat(p.enabled()).isTrue();
            assertThat(rt.containers()).containsExactly(p.id());
        }
    }

    @Nested
    class Remove {
        @Test
        void remove_deletesDirectoryAndUnusedBlobs() {
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            Plugin p = create("x", Contexts.simple());
            manager().remove("x", false);
            assertThat(Files.exists(h.root.resolve(p.id()))).isFalse();
            assertThat(Files.exists(h.root.resolve(p.id() + "-removing"))).isFalse();
            assertThat(manager().list()).isEmpty();
            assertThat(RootSnapshot.of(h.root).withoutJournal()).isEqualTo(before.withoutJournal());
            assertThat(h.actions()).containsExactly("create", "remove");
        }

        @Test
        void remove_unknown_notFound() {
            assertThatThrownBy(() -> manager().remove("nope", true)).isInstanceOf(NotFoundException.class);
        }
    }

    @Nested
    class Push {
        @Test
        void push_uploadsBlobsThenManifest_andSkipsWhatTheRegistryHas() {
            Plugin p = create(REMOTE, Contexts.simple());
            PushedPlugin first = manager().push(REMOTE);
            assertThat(first.tag()).isEqualTo("latest");
            assertThat(h.registry.tag(Reference.parse(REMOTE))).contains(first.digest());
            assertThat(h.registry.uploads()).isEqualTo(3);
            manager().push(p.id());
            assertThat(h.registry.uploads()).isEqualTo(3);
            assertThat(h.actions()).containsExactly("create", "push", "push");
        }

        @Test
        void push_manifestGoneFromStore_rebuiltAndRecorded() throws IOException {
            Plugin p = create(REMOTE, Contexts.simple());
            Digest manifest = record(p).manifest().orElseThrow();
            Files.delete(h.root.resolve("storage/blobs/sha256/" + manifest.hex()));
            PushedPlugin pushed = manager().push(REMOTE);
            assertThat(record(p).manifest()).contains(pushed.digest());
            assertThat(Files.exists(h.root.resolve("storage/blobs/sha256/" + pushed.digest().hex()))).isTrue();
        }
    }

    @Nested
    class Upgrade {
        @Test
        void upgrade_keepsIdAndSettings_swapsRootfsAndConfig() throws IOException {
            h.publish(REMOTE + ":1", Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("v", "1")));
            h.publish(REMOTE + ":2", Contexts.tar(Contexts.config("p2.sock", PRIVILEGED), Map.of("v", "2")));
            Plugin v1 = manager().install(REMOTE + ":1").alias("vol").grantAllPrivileges().setting("DEBUG=7").disabled().run();

            Plugin v2 = manager().upgrade("vol").remote(REMOTE + ":2").grantAllPrivileges().run();

            assertThat(v2.id()).isEqualTo(v1.id());
            assertThat(v2.name()).isEqualTo("vol:latest");
            assertThat(v2.settings()).isEqualTo(v1.settings());
            assertThat(v2.config().pluginInterface().socket()).isEqualTo("p2.sock");
            assertThat(v2.pluginReference()).isEqualTo(REMOTE + ":2");
            assertThat(Files.readString(h.root.resolve(v1.id()).resolve("rootfs/v"))).isEqualTo("2");
            assertThat(Files.exists(h.root.resolve(v1.id()).resolve("rootfs-old"))).isFalse();
            assertThat(record(v2).plugin()).isEqualTo(v2);
            List<Digest> layers = record(v2).blobsumsOrEmpty();
            assertThat(manager().gc().removed()).doesNotContainAnyElementsOf(layers);
        }

        @Test
        void upgrade_privilegesNotGranted_leavesPluginAsItWas() {
            h.publish(REMOTE + ":1", Contexts.simple());
            h.publish(REMOTE + ":2", Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("v", "2")));
            manager().install(REMOTE + ":1").disabled().run();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().upgrade(REMOTE + ":1").remote(REMOTE + ":2").run())
                    .isInstanceOf(PrivilegesNotGrantedException.class);
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void upgrade_droppedDeviceAndUnsettableMount_notCarriedOver() {
            String v1 = "\"linux\":{\"devices\":[{\"name\":\"fuse\",\"path\":\"/dev/fuse\",\"settable\":[\"path\"]}]},"
                    + "\"mounts\":[{\"name\":\"data\",\"destination\":\"/data\",\"source\":\"/a\",\"type\":\"bind\","
                    + "\"settable\":[\"source\"]}]";
            String v2 = "\"mounts\":[{\"name\":\"data\",\"destination\":\"/data\",\"source\":\"/b\",\"type\":\"bind\"}]";
            h.publish(REMOTE + ":1", Contexts.tar(Contexts.config("p.sock", v1), Map.of()));
            h.publish(REMOTE + ":2", Contexts.tar(Contexts.config("p.sock", v2), Map.of()));
            manager().install(REMOTE + ":1").alias("vol").grantAllPrivileges().setting("fuse=/dev/fuse2", "data=/srv")
                    .disabled().run();

            Plugin up = manager().upgrade("vol").remote(REMOTE + ":2").grantAllPrivileges().run();

            // Docker would keep /dev/fuse2 and /srv: a device and a mount the new version never asked for.
            assertThat(up.settings().devices()).isEmpty();
            assertThat(up.settings().mounts()).singleElement().extracting(dev.berth.plugin.PluginMount::source)
                    .isEqualTo("/b");
        }

        @Test
        void upgrade_enabled_conflict() {
            h.runtime = new FakePluginRuntime("p.sock", "VolumeDriver");
            create("x", Contexts.simple());
            manager().enable("x", Duration.ofSeconds(5));
            assertThatThrownBy(() -> manager().upgrade("x").remote("x:2").run())
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("plugin must be disabled before upgrading: plugin x:latest is enabled");
        }
    }

    /** {@code privileges()} on an operation, then {@code run()}: the registry is read once, and what was shown is installed. */
    @Nested
    class PrivilegesThenRun {
        CountingResolver counting;

        @BeforeEach
        void countRegistryCalls() {
            h.resolverWrapper = r -> counting = new CountingResolver(r);
        }

        @Test
        void install_privilegesThenRun_fetchesManifestAndConfigOnce() throws IOException {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("a", "b")));
            var op = manager().install(REMOTE).disabled();
            List<PluginPrivilege> asked = op.privileges();
            assertThat(asked).extracting(PluginPrivilege::name).containsExactly("network", "mount", "capabilities");
            int resolves = counting.resolves.get();
            List<Digest> head = List.copyOf(counting.fetched);

            PluginRecord r = record(op.grant(asked).run());

            assertThat(resolves).isEqualTo(1);
            assertThat(head).containsExactly(r.manifest().orElseThrow(), r.config().orElseThrow());
            assertThat(counting.resolves).hasValue(1);
            assertThat(counting.fetched).containsExactly(r.manifest().orElseThrow(), r.config().orElseThrow(),
                    r.blobsums().get(0));
            assertThat(Files.exists(h.root.resolve("storage/blobs/sha256/" + r.config().orElseThrow().hex()))).isTrue();
        }

        @Test
        void install_tagMovesAfterPrivileges_installsWhatWasShown() throws IOException {
            h.publish(REMOTE, Contexts.tar(Contexts.config("p.sock", PRIVILEGED), Map.of("v", "shown")));
            h.publish(REMOTE + ":other", Contexts.tar(Contexts.config("other.sock", ""), Map.of("v", "moved")));
            Digest shown = h.registry.tag(Reference.parse(REMOTE)).orElseThrow();
            var op = manager().install(REMOTE).disabled();
            List<PluginPrivilege> asked = op.privileges();
            moveTag(REMOTE, REMOTE + ":other");

            Plugin p = op.grant(asked).run();

            assertThat(record(p).manifest()).hasValue(shown);
            assertThat(p.config().pluginInterface().socket()).isEqualTo("p.sock");
            assertThat(Files.readString(h.root.resolve(p.id()).resolve("rootfs/v"))).isEqualTo("shown");
            assertThat(p.pluginReference()).isEqualTo(REMOTE_TAGGED); // the tag, as Docker records it: upgrade follows it
        }

        @Test
        void install_platformSetAfterPrivileges_fetchesAgain() {
            h.publish(REMOTE, Contexts.simple());
            var op = manager().install(REMOTE).disabled();
            op.privileges();

            op.platform(dev.berth.oci.Platform.host()).run();

            assertThat(counting.resolves).hasValue(2);
        }

        @Test
        void install_gcBetweenPrivilegesAndRun_storesManifestAndConfigAgain() throws IOException {
            h.publish(REMOTE, Contexts.simple());
            var op = manager().install(REMOTE).disabled();
            op.privileges();
            GcResult collected = manager().gc();
            assertThat(collected.removed()).isNotEmpty(); // the fetched manifest and config belonged to nothing yet

            PluginRecord r = record(op.run());

            for (Digest d : List.of(r.manifest().orElseThrow(), r.config().orElseThrow(), r.blobsums().get(0))) {
                assertThat(Files.exists(h.root.resolve("storage/blobs/sha256/" + d.hex()))).as(d.toString()).isTrue();
            }
            assertThat(manager().gc().removed()).isEmpty();
            assertThat(counting.resolves).hasValue(1);
        }

        @Test
        void install_privilegesOfMissingRemote_notFound_andRootUnchanged() {
            manager();
            RootSnapshot before = RootSnapshot.of(h.root);
            assertThatThrownBy(() -> manager().install("localhost:5000/missing").privileges())
                    .isInstanceOf(NotFoundException.class);
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
        }

        @Test
        void upgrade_privilegesThenRun_fetchesOnce_andUpgradesToWhatWasShown() throws IOException {
            h.publish(REMOTE + ":1", Contexts.simple());
            h.publish(REMOTE + ":2", Contexts.tar(Contexts.config("p2.sock", PRIVILEGED), Map.of("v", "2")));
            h.publish(REMOTE + ":3", Contexts.tar(Contexts.config("p3.sock", ""), Map.of("v", "3")));
            Digest shown = h.registry.tag(Reference.parse(REMOTE + ":2")).orElseThrow();
            manager().install(REMOTE + ":1").alias("vol").disabled().run();
            int resolvesBefore = counting.resolves.get();
            var op = manager().upgrade("vol").remote(REMOTE + ":2");
            List<PluginPrivilege> asked = op.privileges();
            moveTag(REMOTE + ":2", REMOTE + ":3");

            Plugin up = op.grant(asked).run();

            assertThat(counting.resolves.get() - resolvesBefore).isEqualTo(1);
            assertThat(record(up).manifest()).hasValue(shown);
            assertThat(up.config().pluginInterface().socket()).isEqualTo("p2.sock");
            assertThat(Files.readString(h.root.resolve(up.id()).resolve("rootfs/v"))).isEqualTo("2");
        }
    }

    /** Points the tag of {@code remote} at the manifest {@code target} names, as a push to it would. */
    private void moveTag(String remote, String target) {
        Digest to = h.registry.tag(Reference.parse(target)).orElseThrow();
        h.registry.putManifest(Reference.parse(remote), MediaTypes.DOCKER_MANIFEST_V2, h.registry.blob(to).orElseThrow());
        assertThat(h.registry.tag(Reference.parse(remote))).hasValue(to);
    }

    /** Counts what the manager asks of a registry: resolves, and every blob fetched, by digest. */
    static final class CountingResolver implements dev.berth.remote.RegistryResolver {
        final dev.berth.remote.RegistryResolver delegate;
        final java.util.concurrent.atomic.AtomicInteger resolves = new java.util.concurrent.atomic.AtomicInteger();
        final List<Digest> fetched = new java.util.concurrent.CopyOnWriteArrayList<>();

        CountingResolver(dev.berth.remote.RegistryResolver delegate) {
            this.delegate = delegate;
        }

        @Override
        public dev.berth.oci.Descriptor resolve(Reference reference) {
            resolves.incrementAndGet();
            return delegate.resolve(reference);
        }

        @Override
        public dev.berth.oci.Descriptor resolve(Reference reference, dev.berth.oci.Platform platform) {
            resolves.incrementAndGet();
            return delegate.resolve(reference, platform);
        }

        @Override
        public dev.berth.remote.Fetcher fetcher(Reference reference) {
            dev.berth.remote.Fetcher f = delegate.fetcher(reference);
            return new dev.berth.remote.Fetcher() {
                @Override
                public java.io.InputStream fetch(dev.berth.oci.Descriptor d) {
                    fetched.add(d.digest());
                    return f.fetch(d);
                }

                @Override
                public java.io.InputStream fetch(dev.berth.oci.Descriptor d, dev.berth.oci.Digester resume) {
                    fetched.add(d.digest());
                    return f.fetch(d, resume);
                }
            };
        }

        @Override
        public dev.berth.remote.Pusher pusher(Reference reference) {
            return delegate.pusher(reference);
        }
    }

    @Nested
    class Gc {
        @Test
        void gc_keepsEveryBlobOfEveryPlugin_deletesOrphans() throws IOException {
            h.publish(REMOTE, Contexts.simple());
            Plugin p = manager().install(REMOTE).disabled().run();
            PluginRecord r = record(p);
            manager().privileges(REMOTE); // leaves nothing new: the blobs are shared

            GcResult first = manager().gc();
            assertThat(first.removed()).isEmpty();
            assertThat(Files.exists(h.root.resolve("storage/blobs/sha256/" + r.manifest().orElseThrow().hex()))).isTrue();
            // After a GC the plugin can still be pushed with its layers.
            assertThat(manager().push(p.id()).digest()).isEqualTo(r.manifest().orElseThrow());
        }
    }

    @Nested
    class Reopen {
        @Test
        void reopen_cleansLeftovers_reportsCorruptRecordWithoutDeletingIt() throws IOException {
            Plugin p = create("x", Contexts.simple());
            m.close();
            m = null;
            String ghost = "b".repeat(64);
            Files.createDirectories(h.root.resolve(ghost));
            Files.writeString(h.root.resolve(ghost).resolve("config.json"), "{not json");
            Files.createDirectories(h.root.resolve("c".repeat(64) + "-removing/rootfs"));
            Files.createDirectories(h.root.resolve("tmp/.install12345/rootfs"));

            PluginManager reopened = manager();

            assertThat(reopened.list()).extracting(Plugin::id).containsExactly(p.id());
            assertThat(reopened.loadProblems()).hasSize(1).first().asString().contains(ghost);
            assertThat(Files.exists(h.root.resolve(ghost).resolve("config.json"))).isTrue();
            assertThat(Files.exists(h.root.resolve("c".repeat(64) + "-removing"))).isFalse();
            assertThat(Files.list(h.root.resolve("tmp"))).isEmpty();
        }

        private Plugin installV1() {
            h.publish(REMOTE + ":1", Contexts.tar(Contexts.config(), Map.of("v", "1")));
            Plugin p = manager().install(REMOTE + ":1").alias("vol").disabled().run();
            m.close();
            m = null;
            return p;
        }

        @Test
        void reopen_upgradeInterruptedBeforeCommit_rolledBack() throws IOException {
            Plugin p = installV1();
            Path dir = h.root.resolve(p.id());
            Files.move(dir.resolve("rootfs"), dir.resolve("rootfs-old"));
            Files.createDirectories(dir.resolve("rootfs"));
            Files.writeString(dir.resolve("rootfs/v"), "2");
            Files.writeString(dir.resolve("upgrade.json"), "{\"plugin\":{}}");

            assertThat(manager().inspect("vol")).isEqualTo(p);
            assertThat(Files.readString(dir.resolve("rootfs/v"))).isEqualTo("1");
            assertThat(Files.exists(dir.resolve("rootfs-old"))).isFalse();
            assertThat(Files.exists(dir.resolve("upgrade.json"))).isFalse();
        }

        @Test
        void reopen_upgradeInterruptedAfterMovingOldRootfs_rolledBack() throws IOException {
            Plugin p = installV1();
            Path dir = h.root.resolve(p.id());
            Files.move(dir.resolve("rootfs"), dir.resolve("rootfs-old"));
            Files.writeString(dir.resolve("upgrade.json"), "{}");

            assertThat(manager().inspect("vol")).isEqualTo(p);
            assertThat(Files.readString(dir.resolve("rootfs/v"))).isEqualTo("1");
        }

        @Test
        void reopen_upgradeInterruptedAfterCommit_finished() throws IOException {
            Plugin p = installV1();
            Path dir = h.root.resolve(p.id());
            Files.createDirectories(dir.resolve("rootfs-old"));
            Files.writeString(dir.resolve("rootfs-old/v"), "0");

            assertThat(manager().inspect("vol")).isEqualTo(p);
            assertThat(Files.exists(dir.resolve("rootfs-old"))).isFalse();
            assertThat(Files.readString(dir.resolve("rootfs/v"))).isEqualTo("1");
        }

        @Test
        void reopen_installInterruptedBeforePromotion_leavesNoPlugin() throws IOException {
            Path work = h.root.resolve("tmp/.install0a1b2c");
            Files.createDirectories(work.resolve("rootfs"));
            Files.writeString(work.resolve("config.json"), "{}");

            assertThat(manager().list()).isEmpty();
            assertThat(Files.list(h.root.resolve("tmp"))).isEmpty();
        }

        @Test
        void readOnly_dockerPluginsDirectory_isListed() throws IOException {
            Path docker = temp.resolve("docker-plugins");
            String id = "1e4f3e225c9a0af5f33ce76224a910b811d66f025c5537c5d689e7ca5211b1f5";
            Files.createDirectories(docker.resolve(id).resolve("rootfs"));
            try (var in = PluginManagerTest.class.getResourceAsStream("/fixtures/dockerd-plugin-dir-config.after-install.json")) {
                Files.write(docker.resolve(id).resolve("config.json"), in.readAllBytes());
            }
            RootSnapshot before = RootSnapshot.of(docker);
            try (PluginManager ro = PluginManager.builder().root(docker).readOnly(true)
                    .contentStore(dev.berth.testkit.content.InMemoryContentStore.create())
                    .registryResolver(h.registry).rootfsApplier(dev.berth.archive.TarRootfsApplier.create()).build()) {
                assertThat(ro.list()).extracting(Plugin::name).containsExactly("localhost:5000/test/myplugin:1.0");
                assertThatThrownBy(() -> ro.remove(id, true)).isInstanceOf(dev.berth.exception.ReadOnlyException.class);
            }
            assertThat(RootSnapshot.of(docker)).isEqualTo(before);
        }
    }

    @Nested
    class Progress {
        @Test
        void installAndPush_reportDockersVocabulary() {
            h.publish(REMOTE, Contexts.simple());
            List<dev.berth.progress.ProgressEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            m = h.openWith(b -> b.progressListener(seen::add));
            m.install(REMOTE).disabled().run();
            assertThat(seen).extracting(e -> e.status().text()).containsSubsequence(
                    "Waiting", "Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete");
            seen.clear();
            m.push(REMOTE);
            assertThat(seen).extracting(e -> e.status().text()).containsSubsequence("Preparing", "Layer already exists");
            assertThat(seen).allSatisfy(e -> assertThat(e.id()).hasSize(12));
        }
    }

    @Nested
    class Builder {
        @Test
        void build_secondManagerOnTheSameRoot_refused() {
            manager();
            assertThatThrownBy(() -> h.open()).isInstanceOf(ConflictException.class).hasMessageContaining("in use");
            m.close();
            m = null;
            manager();
        }

        @Test
        void build_missingCollaborators_namedInOneMessage() {
            assertThatThrownBy(() -> PluginManager.builder().build()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("PluginManager.Builder is missing: root, contentStore, registryResolver, rootfsApplier");
        }

        @Test
        void events_carryTheInjectedClocksTime() {
            java.time.Instant when = java.time.Instant.parse("2026-01-02T03:04:05Z");
            m = h.openWith(b -> b.clock(java.time.Clock.fixed(when, java.time.ZoneOffset.UTC)));
            m.create("x", new ByteArrayInputStream(Contexts.simple()));
            assertThat(h.events).singleElement().extracting(dev.berth.event.PluginEvent::time).isEqualTo(when);
        }

        @Test
        @SuppressWarnings("deprecation") // the deprecated synchronous publisher must keep working
        void throwingPublisher_neverBreaksAnOperation() {
            m = PluginManager.builder().root(h.root).contentStore(dev.berth.testkit.content.InMemoryContentStore.create())
                    .registryResolver(h.registry).rootfsApplier(dev.berth.archive.TarRootfsApplier.create())
                    .contextSplitter(dev.berth.archive.TarContextSplitter.create())
                    .addEventPublisher(e -> {
                        throw new IllegalStateException("listener bug");
                    }).build();
            assertThat(m.create("x", new ByteArrayInputStream(Contexts.simple())).name()).isEqualTo("x:latest");
        }
    }
}
