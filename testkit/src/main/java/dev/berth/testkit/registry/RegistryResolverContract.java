package dev.berth.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.remote.BlobSource;
import dev.berth.remote.PushResult;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RegistryResolver} must have; an implementation's test extends this class
 * and supplies the resolver and the references it serves. Covers push then resolve, verified fetches,
 * resumed fetches, missing content, and refused corrupt pushes.
 */
public abstract class RegistryResolverContract {
    /** For subclasses. */
    protected RegistryResolverContract() {
    }

    /** The resolver under test; a fresh, empty one per test. */
    protected abstract RegistryResolver resolver();

    /** A reference the resolver can push to and resolve, for {@code repository:tag}. */
    protected abstract Reference reference(String repository, String tag);

    /** A small plugin: config, layer, and the manifest Docker would build. */
    protected static final class Plugin {
        /** The config bytes. */
        public final byte[] config;
        /** The layer bytes. */
        public final byte[] layer;
        /** The manifest bytes. */
        public final byte[] manifest;
        /** Descriptors. */
        public final Descriptor configDesc;
        /** Descriptors. */
        public final Descriptor layerDesc;
        /** Descriptors. */
        public final Descriptor manifestDesc;

        /** A plugin whose layer is {@code layerSize} random bytes from {@code seed}. */
        public Plugin(int layerSize, long seed) {
            config = ("{\"description\":\"contract " + seed + "\",\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],"
                    + "\"socket\":\"p.sock\"},\"entrypoint\":[\"/p\"]}").getBytes(StandardCharsets.UTF_8);
            layer = new byte[layerSize];
            new Random(seed).nextBytes(layer);
            configDesc = Descriptor.of(MediaTypes.DOCKER_PLUGIN_CONFIG, Digest.sha256(config), config.length);
            layerDesc = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(layer), layer.length);
            manifest = OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, List.of(layerDesc)));
            manifestDesc = Descriptor.of(MediaTypes.DOCKER_MANIFEST_V2, Digest.sha256(manifest), manifest.length);
        }

        /** Pushes layer, config, manifest. */
        public void pushTo(RegistryResolver resolver, Reference ref) {
            var pusher = resolver.pusher(ref);
            pusher.push(layerDesc, BlobSource.of(layer));
            pusher.push(configDesc, BlobSource.of(config));
            pusher.push(manifestDesc, BlobSource.of(manifest));
        }
    }

    @Test
    void pushThenResolve_plugin_resolvesToTheManifest() {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(10_000, 1);
        Reference ref = reference("contract/plugin", "1.0");

        p.pushTo(r, ref);

        assertThat(r.resolve(ref)).isEqualTo(p.manifestDesc);
        assertThat(r.fetcher(ref).fetchBytes(p.manifestDesc, OciJson.MAX_MANIFEST_BYTES)).isEqualTo(p.manifest);
        assertThat(r.fetcher(ref).fetchBytes(p.configDesc, OciJson.MAX_CONFIG_BYTES)).isEqualTo(p.config);
    }

    @Test
    void fetch_layer_returnsVerifiedBytes() throws Exception {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(200_000, 2);
        Reference ref = reference("contract/plugin", "1.0");
        p.pushTo(r, ref);

        try (InputStream in = r.fetcher(ref).fetch(p.layerDesc)) {
            assertThat(in.readAllBytes()).isEqualTo(p.layer);
        }
    }

    @Test
    void fetch_fromOffset_returnsTheRestAndVerifiesTheWhole() throws Exception {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(50_000, 3);
        Reference ref = reference("contract/plugin", "1.0");
        p.pushTo(r, ref);
        Digester prefix = Digester.sha256();
        prefix.update(p.layer, 0, 12_345);

        try (InputStream in = r.fetcher(ref).fetch(p.layerDesc, prefix)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(p.layer, 12_345, p.layer.length));
        }
    }

    @Test
    void fetch_wrongPrefixState_throwsDigestMismatchAtTheEnd() {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(50_000, 4);
        Reference ref = reference("contract/plugin", "1.0");
        p.pushTo(r, ref);
        Digester wrong = Digester.sha256();
        wrong.update(new byte[12_345], 0, 12_345);

        assertThatThrownBy(() -> {
            try (InputStream in = r.fetcher(ref).fetch(p.layerDesc, wrong)) {
                in.readAllBytes();
            }
        }).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void resolve_unknownTag_throwsNotFound() {
        RegistryResolver r = resolver();
        new Plugin(100, 5).pushTo(r, reference("contract/plugin", "1.0"));

        assertThatThrownBy(() -> r.resolve(reference("contract/plugin", "nope"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void fetch_unknownBlob_throwsNotFound() {
        RegistryResolver r = resolver();
        Reference ref = reference("contract/plugin", "1.0");
        new Plugin(100, 6).pushTo(r, ref);
        Descriptor missing = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256("missing"), 7);

        assertThatThrownBy(() -> {
            try (InputStream in = r.fetcher(ref).fetch(missing)) {
                in.readAllBytes();
            }
        }).isInstanceOf(NotFoundException.class);
    }

    @Test
    void push_twice_reportsAlreadyExists() {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(1_000, 7);
        Reference ref = reference("contract/plugin", "1.0");
        p.pushTo(r, ref);

        PushResult again = r.pusher(ref).push(p.layerDesc, BlobSource.of(p.layer));

        assertThat(again.outcome()).isEqualTo(PushResult.Outcome.ALREADY_EXISTS);
        assertThat(again.descriptor()).isEqualTo(p.layerDesc);
    }

    @Test
    void push_bytesNotMatchingTheDescriptor_isRefused() {
        RegistryResolver r = resolver();
        Plugin p = new Plugin(1_000, 8);
        Reference ref = reference("contract/plugin", "1.0");
        byte[] corrupt = p.layer.clone();
        corrupt[17] ^= 1;

        assertThatThrownBy(() -> r.pusher(ref).push(p.layerDesc, BlobSource.of(corrupt)))
                .isInstanceOfAny(DigestMismatchException.class, RegistryException.class);
        assertThatThrownBy(() -> {
            try (InputStream in = r.fetcher(ref).fetch(p.layerDesc)) {
                in.readAllBytes();
            }
        }).isInstanceOf(NotFoundException.class);
    }
}
