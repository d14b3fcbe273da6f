package dev.berth.registry;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Pusher;
import dev.berth.testkit.registry.FakeRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The tiny plugin Docker built (fixtures): config, one gzip layer, and Docker's manifest bytes. */
final class TinyPlugin {
    static final byte[] CONFIG = load("tiny-plugin-config.json");
    static final byte[] LAYER = load("tiny-plugin-layer.tar.gz");
    static final byte[] MANIFEST = load("tiny-plugin-manifest.json");
    static final Descriptor CONFIG_DESC = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.sha256(CONFIG), CONFIG.length);
    static final Descriptor LAYER_DESC = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(LAYER), LAYER.length);
    static final Descriptor MANIFEST_DESC = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(MANIFEST),
            MANIFEST.length);

    private TinyPlugin() {
    }

    static byte[] load(String name) {
        try (InputStream in = TinyPlugin.class.getResourceAsStream("/registry-fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores the plugin in a fake registry under {@code repo:tag}. */
    static void putInto(FakeRegistry registry, String repo, String tag) {
        registry.putBlob(repo, CONFIG);
        registry.putBlob(repo, LAYER);
        registry.putManifest(repo, tag, MediaTypes.DOCKER_MANIFEST_V2, MANIFEST);
    }

    /** Pushes the plugin with Berth's pusher: layer, config, then the manifest. */
    static void push(Pusher pusher) {
        pusher.push(LAYER_DESC, BlobSource.of(LAYER));
        pusher.push(CONFIG_DESC, BlobSource.of(CONFIG));
        pusher.push(MANIFEST_DESC, BlobSource.of(MANIFEST));
    }
}
