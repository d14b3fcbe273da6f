package dev.berth.testkit.registry;

import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.Capability;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginEnv;
import dev.berth.plugin.PluginInterface;
import dev.berth.plugin.PluginLinux;
import dev.berth.plugin.PluginMount;
import dev.berth.plugin.PluginNetwork;
import dev.berth.plugin.PluginRootfs;
import dev.berth.testkit.rootfs.LayerTar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Publishes a test plugin as {@code docker plugin push} would: a plugin config blob (with the real
 * {@code rootfs.diff_ids}), one gzip layer of the given files, a Docker schema 2 manifest, and, for
 * several platforms, a manifest list whose entries each carry {@code etc/berth-platform} naming their
 * platform. Into an {@link InMemoryRegistry} or an OCI image-layout directory on any file system (for
 * example Jimfs), so tests install real plugins without a registry or a daemon.
 *
 * <pre>{@code
 * InMemoryRegistry registry = new InMemoryRegistry();
 * TestPlugin.builder()
 *         .capabilities("CAP_SYS_ADMIN")
 *         .file("bin/plugin", "#!/bin/sh\n")
 *         .publish(registry, "localhost:5000/acme/volume:1.0");
 * }</pre>
 *
 * Not thread-safe.
 */
public final class TestPlugin {
    /** The socket of the default config. */
    public static final String SOCKET = "plugin.sock";
    /** The file each platform's layer of a multi-platform plugin carries, holding the platform. */
    public static final String PLATFORM_FILE = "etc/berth-platform";

    private PluginConfig config = PluginConfig.builder()
            .description("Berth test plugin")
            .entrypoint(List.of("/bin/plugin"))
            .workDir("/")
            .pluginInterface(new PluginInterface("", SOCKET, List.of(Capability.parse("docker.volumedriver/1.0"))))
            .network(new PluginNetwork(""))
            .env(List.of(new PluginEnv("debug level", "DEBUG", List.of("value"), "0")))
            .build();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<Platform> platforms = new ArrayList<>();

    private TestPlugin() {
        files.put("bin/plugin", "#!/bin/sh\n# a Berth test plugin\n".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A builder of a {@code docker.volumedriver/1.0} plugin on socket {@link #SOCKET}, entrypoint
     * {@code /bin/plugin}, a settable {@code DEBUG=0}, no privileges, one file {@code bin/plugin}, for the
     * host platform only.
     */
    public static TestPlugin builder() {
        return new TestPlugin();
    }

    /** Replaces the config ({@code rootfs} is filled in when publishing). @return this */
    public TestPlugin config(PluginConfig value) {
        config = Objects.requireNonNull(value, "config");
        return this;
    }

    /** Changes the config, e.g. {@code c -> c.description("x")}. @return this */
    public TestPlugin config(UnaryOperator<PluginConfig.Builder> change) {
        config = Objects.requireNonNull(change.apply(config.toBuilder()), "config").build();
        return this;
    }

    /** The interface types, e.g. {@code docker.networkdriver/1.0}, replacing the default. @return this */
    public TestPlugin types(String... types) {
        List<Capability> caps = new ArrayList<>();
        for (String t : types) {
            caps.add(Capability.parse(t));
        }
        PluginInterface i = config.pluginInterface();
        return config(c -> c.pluginInterface(new PluginInterface(i.protocolScheme(), i.socket(), caps)));
    }

    /** Asks for Linux capabilities, a privilege the installer must grant. @return this */
    public TestPlugin capabilities(String... capabilities) {
        PluginLinux l = config.linux();
        return config(c -> c.linux(new PluginLinux(l.allowAllDevices(), List.of(capabilities), l.devices())));
    }

    /** Asks for the host network, a privilege. @return this */
    public TestPlugin hostNetwork() {
        return config(c -> c.network(new PluginNetwork("host")));
    }

    /** Adds a mount (a host-path mount with a source is a privilege). @return this */
    public TestPlugin mount(PluginMount mount) {
        List<PluginMount> mounts = new ArrayList<>(config.mountsOrEmpty());
        mounts.add(Objects.requireNonNull(mount, "mount"));
        return config(c -> c.mounts(mounts));
    }

    /** Adds or replaces a rootfs file (path relative to the rootfs). @return this */
    public TestPlugin file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds or replaces a rootfs file (path relative to the rootfs). @return this */
    public TestPlugin file(String path, byte[] content) {
        files.put(Objects.requireNonNull(path, "path"), content.clone());
        return this;
    }

    /**
     * Publishes one manifest per platform under a manifest list, instead of one plain manifest. Each
     * platform's layer carries {@link #PLATFORM_FILE} with {@code os/architecture[/variant]}.
     *
     * @return this
     */
    public TestPlugin platforms(Platform... values) {
        platforms.clear();
        platforms.addAll(List.of(values));
        return this;
    }

    /** The config as it will be published for these files (with its {@code rootfs}). */
    public PluginConfig builtConfig() {
        return built(files).config;
    }

    /**
     * Pushes the plugin into the registry under {@code reference} (tag {@code latest} if none).
     *
     * @return the descriptor of the pushed manifest or manifest list
     */
    public Descriptor publish(InMemoryRegistry registry, String reference) {
        Objects.requireNonNull(registry, "registry");
        Reference ref = Reference.parse(reference);
        Root root = root();
        root.blobs.forEach((d, bytes) -> registry.putBlob(d.mediaType(), bytes));
        return registry.putManifest(ref, root.descriptor.mediaType(), root.blobs.get(root.descriptor));
    }

    /**
     * Writes the plugin into an OCI image-layout directory (created if missing, on any file system),
     * under the ref name {@code tag} ({@code org.opencontainers.image.ref.name}), replacing an entry of
     * that name. Install it with the layout resolver's {@code oci:<dir>:<tag>} reference.
     *
     * @return the descriptor of the manifest or manifest list
     * @throws UncheckedIOException if the directory cannot be written
     */
    public Descriptor publish(Path layoutDir, String tag) {
        Objects.requireNonNull(layoutDir, "layoutDir");
        Objects.requireNonNull(tag, "tag");
        Root root = root();
        try {
            Files.createDirectories(layoutDir.resolve("blobs").resolve("sha256"));
            Files.writeString(layoutDir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            for (Map.Entry<Descriptor, byte[]> b : root.blobs.entrySet()) {
                Digest d = b.getKey().digest();
                Files.write(layoutDir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex()), b.getValue());
            }
            Path indexFile = layoutDir.resolve("index.json");
            List<Descriptor> entries = new ArrayList<>();
            if (Files.exists(indexFile)) {
                for (Descriptor e : OciJson.decodeIndex(Files.readAllBytes(indexFile), MediaTypes.OCI_INDEX).manifests()) {
                    if (!tag.equals(e.annotations().get(ImageIndex.REF_NAME))) {
                        entries.add(e);
                    }
                }
            }
            Descriptor named = root.descriptor.withAnnotations(Map.of(ImageIndex.REF_NAME, tag));
            entries.add(named);
            ImageIndex index = new ImageIndex(2, java.util.Optional.of(MediaTypes.OCI_INDEX), entries, Map.of());
            Path temp = layoutDir.resolve("index.json.tmp");
            Files.write(temp, OciJson.encodeIndex(index));
            Files.move(temp, indexFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return named;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the OCI layout " + layoutDir, e);
        }
    }

    /** The blobs to publish and the root descriptor (a manifest, or an index of several). */
    private record Root(Descriptor descriptor, Map<Descriptor, byte[]> blobs) {
    }

    private record Built(PluginConfig config, Map<Descriptor, byte[]> blobs, Descriptor manifest) {
    }

    private Root root() {
        if (platforms.isEmpty()) {
            Built b = built(files);
            return new Root(b.manifest, b.blobs);
        }
        Map<Descriptor, byte[]> blobs = new LinkedHashMap<>();
        List<Descriptor> manifests = new ArrayList<>();
        for (Platform p : platforms) {
            Map<String, byte[]> withPlatform = new LinkedHashMap<>(files);
            withPlatform.put(PLATFORM_FILE, (p.os() + "/" + p.architecture() + p.variant().map(v -> "/" + v).orElse("")
                    + "\n").getBytes(StandardCharsets.UTF_8));
            Built b = built(withPlatform);
            blobs.putAll(b.blobs);
            manifests.add(b.manifest.withPlatform(p));
        }
        ImageIndex index = new ImageIndex(2, java.util.Optional.of(MediaTypes.DOCKER_MANIFEST_LIST_V2), manifests,
                Map.of());
        byte[] bytes = OciJson.encodeIndex(index);
        Descriptor d = Descriptor.of(MediaTypes.DOCKER_MANIFEST_LIST_V2, Digest.sha256(bytes), bytes.length);
        blobs.put(d, bytes);
        return new Root(d, blobs);
    }

    private Built built(Map<String, byte[]> layerFiles) {
        byte[] tar = LayerTar.of(layerFiles);
        byte[] gz = LayerTar.gzip(tar);
        PluginConfig withRootfs = config.toBuilder()
                .rootfs(new PluginRootfs(List.of(Digest.sha256(tar).toString()), "layers")).build();
        byte[] configBlob = PluginJson.encodeConfigBlob(withRootfs);
        Descriptor configDesc = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.sha256(configBlob), configBlob.length);
        Descriptor layerDesc = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(gz), gz.length);
        byte[] manifest = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, List.of(layerDesc)));
        Descriptor manifestDesc = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(manifest), manifest.length);
        Map<Descriptor, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(configDesc, configBlob);
        blobs.put(layerDesc, gz);
        blobs.put(manifestDesc, manifest);
        return new Built(withRootfs, blobs, manifestDesc);
    }
}
