package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.CreateOptions;
import dev.berth.IndexFormat;
import dev.berth.PluginManager;
import dev.berth.PushIndexOptions;
import dev.berth.PushedIndex;
import dev.berth.PushedPlugin;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.PlatformNotFoundException;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.layout.OciLayoutResolver;
import dev.berth.remote.RegistryResolver;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.RealRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-arch plugins on the real parts: variants created for a platform, pushed as one OCI index or
 * Docker manifest list to the real distribution registry (and into an OCI layout), and installed by a
 * manager that selects its configured platform, or the one an install asks for.
 */
class PlatformIndexTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64", "v8");

    @TempDir
    Path temp;
    RealRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = RealRegistry.plain(temp.resolve("registry"));
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private PluginManager open(Path root, RegistryResolver resolver, Optional<Platform> platform) throws IOException {
        PluginManager.Builder b = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(resolver)
                .rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create());
        platform.ifPresent(b::platform);
        return b.build();
    }

    private PluginManager open(Path root, Optional<Platform> platform) throws IOException {
        return open(root, HttpRegistryResolver.builder().build(), platform);
    }

    private static byte[] context(String arch) {
        return Contexts.tar(Contexts.config(), Map.of("arch", arch, "bin/plugin", "x"));
    }

    /** Creates the two variants under local names and pushes them as one index under {@code target}. */
    private PushedIndex publish(PluginManager m, String target, IndexFormat format) {
        String repo = target.substring(0, target.lastIndexOf(':'));
        m.create(repo + "-build:amd64", new ByteArrayInputStream(context("amd64")),
                CreateOptions.defaults().withPlatform(AMD64));
        m.create(repo + "-build:arm64", new ByteArrayInputStream(context("arm64")),
                CreateOptions.defaults().withPlatform(ARM64));
        return m.pushIndex(target, List.of(repo + "-build:amd64", repo + "-build:arm64"),
                PushIndexOptions.defaults().withFormat(format));
    }

    private record Got(int status, String contentType, byte[] body) {
    }

    private Got get(String path, String accept) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(registry.uri() + path).toURL().openConnection();
        c.setRequestProperty("Accept", accept);
        try (InputStream in = c.getInputStream()) {
            return new Got(c.getResponseCode(), c.getContentType(), in.readAllBytes());
        } finally {
            c.disconnect();
        }
    }

    private static String arch(Path root, Plugin p) throws IOException {
        return Files.readString(root.resolve(p.id()).resolve("rootfs/arch"));
    }

    private static PluginRecord record(Path root, Plugin p) throws IOException {
        return PluginJson.decodeRecord(Files.readAllBytes(root.resolve(p.id()).resolve("config.json")));
    }

    @Test
    void pushIndex_toRealRegistry_writesCanonicalIndexWithPlatformsOverSinglePlatformManifests() throws Exception {
        String target = registry.host() + "/multi/vol:1.0";
        PushedIndex pushed;
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            pushed = publish(m, target, IndexFormat.OCI_INDEX);
        }

        Got index = get("/v2/multi/vol/manifests/1.0", MediaTypes.OCI_INDEX);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(Digest.sha256(index.body())).isEqualTo(pushed.digest());
        assertThat(pushed.manifests()).hasSize(2);
        String amd = pushed.manifests().get(0).digest().toString();
        String arm = pushed.manifests().get(1).digest().toString();
        // compact, Go's field order, platform on every descriptor, the entries in the order given
        assertThat(new String(index.body(), StandardCharsets.UTF_8)).isEqualTo("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" + amd
                + "\",\"size\":" + pushed.manifests().get(0).size() + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" + arm
                + "\",\"size\":" + pushed.manifests().get(1).size()
                + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}");
        // each entry is a plain plugin manifest in the same repository, fetchable by digest
        for (String d : List.of(amd, arm)) {
            Got manifest = get("/v2/multi/vol/manifests/" + d, MediaTypes.DOCKER_MANIFEST_V2);
            assertThat(manifest.status()).isEqualTo(200);
            assertThat(manifest.contentType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_V2);
            assertThat(new String(manifest.body(), StandardCharsets.UTF_8)).contains(MediaTypes.DOCKER_PLUGIN_CONFIG);
        }

        // pushing the same variants again gives the same bytes
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            PushedIndex again = m.pushIndex(target, List.of(registry.host() + "/multi/vol-build:amd64",
                    registry.host() + "/multi/vol-build:arm64"));
            assertThat(again.digest()).isEqualTo(pushed.digest());
        }
    }

    @Test
    void install_fromIndex_selectsTheManagersPlatformOrTheInstallsOwn() throws Exception {
        String target = registry.host() + "/multi/vol:1.0";
        PushedIndex pushed;
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            pushed = publish(m, target, IndexFormat.OCI_INDEX);
        }

        Path amdRoot = temp.resolve("amd");
        try (PluginManager m = open(amdRoot, Optional.of(AMD64))) {
            Plugin p = m.install(target).disabled().run();
            assertThat(arch(amdRoot, p)).isEqualTo("amd64");
            assertThat(record(amdRoot, p).manifest()).contains(pushed.manifests().get(0).digest());
            assertThat(m.privileges(target, ARM64)).isEqualTo(m.privileges(target));

            Plugin other = m.install(target).alias("vol-arm:1.0").platform(Platform.parse("linux/arm64"))
                    .disabled().run();
            assertThat(arch(amdRoot, other)).isEqualTo("arm64");
            assertThat(record(amdRoot, other).manifest()).contains(pushed.manifests().get(1).digest());
        }
        Path armRoot = temp.resolve("arm");
        try (PluginManager m = open(armRoot, Optional.of(ARM64))) {
            Plugin p = m.install(target).disabled().run();
            assertThat(arch(armRoot, p)).isEqualTo("arm64");
        }
        // unset, the resolver's platform: the host's
        Path hostRoot = temp.resolve("host");
        try (PluginManager m = open(hostRoot, Optional.empty())) {
            Plugin p = m.install(target).disabled().run();
            assertThat(arch(hostRoot, p)).isEqualTo(Platform.host().architecture());
        }
    }

    @Test
    void upgrade_fromIndex_keepsTheInstalledVariantsPlatformUnlessAsked() throws Exception {
        String v1 = registry.host() + "/multi/up:1";
        String v2 = registry.host() + "/multi/up:2";
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            publish(m, v1, IndexFormat.OCI_INDEX);
            m.create("up2:amd64", new ByteArrayInputStream(context("amd64-2")), CreateOptions.defaults().withPlatform(AMD64));
            m.create("up2:arm64", new ByteArrayInputStream(context("arm64-2")), CreateOptions.defaults().withPlatform(ARM64));
            m.pushIndex(v2, List.of("up2:amd64", "up2:arm64"));
        }
        Path root = temp.resolve("amd");
        try (PluginManager m = open(root, Optional.of(AMD64))) {
            Plugin arm = m.install(v1).alias("arm:1").platform(ARM64).disabled().run();
            Plugin amd = m.install(v1).alias("amd:1").disabled().run();

            assertThat(arch(root, m.upgrade("arm:1").remote(v2).run())).isEqualTo("arm64-2");
            assertThat(arch(root, m.upgrade("amd:1").remote(v2).run())).isEqualTo("amd64-2");
            m.upgrade("amd:1").remote(v1).platform(ARM64).run();
            assertThat(arch(root, m.inspect(amd.id()))).isEqualTo("arm64");
            assertThat(arch(root, m.inspect(arm.id()))).isEqualTo("arm64-2");
        }
    }

    @Test
    void install_noEntryForThePlatform_failsTypedListingThePlatformsAndLeavesTheRootAsItWas() throws Exception {
        String target = registry.host() + "/multi/vol:1.0";
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            publish(m, target, IndexFormat.OCI_INDEX);
        }
        Path root = temp.resolve("s390x");
        try (PluginManager m = open(root, Optional.of(Platform.of("linux", "s390x")))) {
            List<Path> before = listing(root);

            assertThatThrownBy(() -> m.install(target).disabled().run())
                    .isInstanceOfSatisfying(PlatformNotFoundException.class, e -> {
                        assertThat(e.requested()).isEqualTo(Platform.of("linux", "s390x"));
                        assertThat(e.available()).containsExactly(AMD64, ARM64);
                        assertThat(e).hasMessageContaining("linux/s390x").hasMessageContaining("linux/amd64, linux/arm64/v8");
                    });
            assertThatThrownBy(() -> m.install(target).platform(Platform.parse("windows/amd64")).disabled().run())
                    .isInstanceOf(PlatformNotFoundException.class);
            assertThat(m.list()).isEmpty();
            assertThat(listing(root)).isEqualTo(before);
        }
    }

    @Test
    void manifestList_isPushedAndInstalledLikeAnIndex() throws Exception {
        String target = registry.host() + "/multi/list:2";
        PushedIndex pushed;
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            pushed = publish(m, target, IndexFormat.DOCKER_MANIFEST_LIST);
        }
        assertThat(pushed.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST_V2);
        Got list = get("/v2/multi/list/manifests/2", MediaTypes.DOCKER_MANIFEST_LIST_V2);
        assertThat(list.contentType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST_V2);
        assertThat(new String(list.body(), StandardCharsets.UTF_8))
                .startsWith("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST_V2 + "\"");

        Path root = temp.resolve("arm");
        try (PluginManager m = open(root, Optional.of(ARM64))) {
            assertThat(arch(root, m.install(target).disabled().run())).isEqualTo("arm64");
        }
    }

    @Test
    void platformTags_tagEachVariantWithItsOwnManifest() throws Exception {
        String repo = registry.host() + "/multi/tagged";
        PushedIndex pushed;
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            publish(m, repo + ":0", IndexFormat.OCI_INDEX); // creates the variants
            pushed = m.pushIndex(repo + ":1.0", List.of(repo + "-build:amd64", repo + "-build:arm64"),
                    PushIndexOptions.defaults().withPlatformTags());
        }
        Got amd = get("/v2/multi/tagged/manifests/1.0-linux-amd64", MediaTypes.DOCKER_MANIFEST_V2);
        Got arm = get("/v2/multi/tagged/manifests/1.0-linux-arm64-v8", MediaTypes.DOCKER_MANIFEST_V2);
        assertThat(Digest.sha256(amd.body())).isEqualTo(pushed.manifests().get(0).digest());
        assertThat(Digest.sha256(arm.body())).isEqualTo(pushed.manifests().get(1).digest());
    }

    @Test
    void ociLayout_indexIsSelectedWithTheManagersPlatformToo() throws Exception {
        Path layout = temp.resolve("layout");
        String target = "layout.invalid/multi/vol:1.0";
        try (PluginManager m = open(temp.resolve("build"), OciLayoutResolver.open(layout), Optional.empty())) {
            publish(m, target, IndexFormat.OCI_INDEX);
        }
        for (Platform platform : List.of(AMD64, ARM64)) {
            Path root = temp.resolve("layout-" + platform.architecture());
            // the resolver's own platform is the host's: the manager's must win
            try (PluginManager m = open(root, OciLayoutResolver.open(layout), Optional.of(platform))) {
                assertThat(arch(root, m.install(target).disabled().run())).isEqualTo(platform.architecture());
            }
        }
    }

    @Test
    void create_withPlatform_recordsItAfterDockersFieldsAndOnlyThere() throws Exception {
        Path root = temp.resolve("plugins");
        try (PluginManager m = open(root, Optional.empty())) {
            byte[] context = context("x"); // one context: the tar's mtimes are the clock's
            Plugin plain = m.create("plain:1", new ByteArrayInputStream(context));
            Plugin arm = m.create("arm:1", new ByteArrayInputStream(context), CreateOptions.defaults()
                    .withPlatform(Platform.parse("linux/aarch64/v8")));
            byte[] plainBlob = blob(root, record(root, plain).config().orElseThrow());
            byte[] armBlob = blob(root, record(root, arm).config().orElseThrow());
            String plainText = new String(plainBlob, StandardCharsets.UTF_8);

            assertThat(new String(armBlob, StandardCharsets.UTF_8)).isEqualTo(plainText.substring(0,
                    plainText.lastIndexOf('}')) + ",\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}\n");
            assertThat(PluginJson.decodeConfig(armBlob)).isEqualTo(PluginJson.decodeConfig(plainBlob));
            assertThat(arm.config()).isEqualTo(plain.config());
        }
    }

    @Test
    void pushIndex_badVariants_failBeforeAnythingIsUploaded() throws Exception {
        String repo = registry.host() + "/multi/bad";
        try (PluginManager m = open(temp.resolve("build"), Optional.empty())) {
            m.create(repo + "-x:plain", new ByteArrayInputStream(context("amd64")));
            m.create(repo + "-x:amd64", new ByteArrayInputStream(context("amd64")), CreateOptions.defaults().withPlatform(AMD64));
            m.create(repo + "-x:amd64b", new ByteArrayInputStream(context("amd64b")), CreateOptions.defaults().withPlatform(AMD64));

            assertThatThrownBy(() -> m.pushIndex(repo + ":1", List.of(repo + "-x:amd64", repo + "-x:plain")))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("records no platform");
            assertThatThrownBy(() -> m.pushIndex(repo + ":1", List.of(repo + "-x:amd64", repo + "-x:amd64b")))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("are both for linux/amd64");
            assertThatThrownBy(() -> m.pushIndex(repo + ":1", List.of(repo + "-x:amd64", repo + "-x:amd64")))
                    .isInstanceOf(InvalidParameterException.class).hasMessageContaining("listed twice");
            assertThatThrownBy(() -> m.pushIndex(repo + "@sha256:" + "0".repeat(64), List.of(repo + "-x:amd64")))
                    .isInstanceOf(InvalidParameterException.class);
            assertThatThrownBy(() -> m.pushIndex(repo + ":1", List.of()))
                    .isInstanceOf(InvalidParameterException.class);
            // a single-platform push of a platform-recording plugin is unchanged
            PushedPlugin single = m.push(repo + "-x:amd64");
            assertThat(single.tag()).isEqualTo("amd64");
        }
        assertThat(registry.log()).doesNotContain("/v2/multi/bad/");
    }

    private static byte[] blob(Path root, Digest d) throws IOException {
        return Files.readAllBytes(root.resolve("storage/blobs/sha256/" + d.hex()));
    }

    private static List<Path> listing(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.startsWith(root.resolve("events"))).sorted().toList();
        }
    }
}
