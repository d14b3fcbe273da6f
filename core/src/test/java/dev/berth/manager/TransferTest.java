package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.PluginManager;
import dev.berth.content.ContentWriter;
import dev.berth.exception.PluginException;
import dev.berth.internal.json.OciJson;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginInterface;
import dev.berth.plugin.PluginRootfs;
import dev.berth.remote.Fetcher;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import dev.berth.store.FileContentStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers download in parallel, bounded, each verified; one failing download stops the others and the
 * install is undone; a download a killed process left half done continues from the stored bytes.
 */
class TransferTest {
    static final String REMOTE = "localhost:5000/test/layers:1";
    static final int LAYER_SIZE = 3 << 20;

    @TempDir
    Path temp;
    Harness h;
    List<Descriptor> layers;

    @BeforeEach
    void setUp() throws IOException {
        h = new Harness(temp.resolve("plugins"), Files.createTempDirectory(temp, "x"));
        layers = publishThreeLayers(h, REMOTE);
        h.open().close(); // the root exists before the first snapshot
    }

    private long allLayers() {
        return layers.stream().mapToLong(Descriptor::size).sum();
    }

    @Nested
    class Parallel {
        @Test
        void install_threeLayers_downloadsThemAtOnce() {
            Gate gate = new Gate(3);
            h.resolverWrapper = gate::wrap;
            try (PluginManager m = h.open()) {
                Plugin p = m.install(REMOTE).disabled().run();
                Path rootfs = h.root.resolve(p.id()).resolve("rootfs");
                assertThat(rootfs.resolve("l0.bin")).exists();
                assertThat(rootfs.resolve("l1.bin")).exists();
                assertThat(rootfs.resolve("l2.bin")).hasContent("third layer wins");
            }
            assertThat(gate.peak.get()).isEqualTo(3);
        }

        @Test
        void install_oneAtATime_neverOverlaps() {
            Gate gate = new Gate(1);
            h.resolverWrapper = gate::wrap;
            try (PluginManager m = h.openWith(b -> b.maxConcurrentDownloads(1))) {
                m.install(REMOTE).disabled().run();
            }
            assertThat(gate.peak.get()).isEqualTo(1);
        }

        @Test
        void install_twoAtATime_neverMoreThanTwo() {
            Gate gate = new Gate(2);
            h.resolverWrapper = gate::wrap;
            try (PluginManager m = h.openWith(b -> b.maxConcurrentDownloads(2))) {
                m.install(REMOTE).disabled().run();
            }
            assertThat(gate.peak.get()).isEqualTo(2);
        }

        @Test
        void install_oneDownloadFails_theOthersStopAndNothingIsLeft() throws IOException {
            RootSnapshot before = RootSnapshot.of(h.root);
            Digest failing = layers.get(1).digest();
            h.resolverWrapper = r -> failing(r, failing);
            try (PluginManager m = h.open()) {
                assertThatThrownBy(() -> m.install(REMOTE).disabled().run()).isInstanceOf(PluginException.class)
                        .hasMessageContaining("injected");
                assertThat(m.list()).isEmpty();
            }
            assertThat(RootSnapshot.of(h.root)).isEqualTo(before);
            try (Stream<Path> ingests = Files.list(h.root.resolve("storage/ingest"))) {
                assertThat(ingests).isEmpty();
            }
        }

        @Test
        void maxConcurrentDownloads_zero_isRefused() {
            assertThatThrownBy(() -> PluginManager.builder().maxConcurrentDownloads(0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Push {
        @Test
        void push_blobsUploadAtOnce() {
            AtomicInteger peak = new AtomicInteger();
            CyclicBarrier both = new CyclicBarrier(2);
            try (PluginManager m = h.openWith(b -> b.maxConcurrentUploads(2))) {
                m.create("made", new ByteArrayInputStream(Contexts.simple()));
            }
            h.resolverWrapper = r -> new Delegating(r) {
                @Override
                InputStream blob(InputStream in, Descriptor d) {
                    return in;
                }

                @Override
                public Pusher pusher(Reference reference) {
                    Pusher p = super.pusher(reference);
                    AtomicInteger open = new AtomicInteger();
                    return (d, source) -> {
                        if (!MediaTypes.isManifest(d.mediaType())) {
                            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                            try {
                                // Config and layer meet here only if they upload at once.
                                both.await(20, TimeUnit.SECONDS);
                            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                                throw new AssertionError("uploads did not overlap", e);
                            } finally {
                                open.decrementAndGet();
                            }
                        }
                        return p.push(d, source);
                    };
                }
            };
            try (PluginManager m = h.openWith(b -> b.maxConcurrentUploads(2))) {
                m.push("made");
            }
            assertThat(peak.get()).isEqualTo(2);
            assertThat(h.registry.tag(Reference.parse("made:latest"))).isPresent();
        }

        @Test
        void maxConcurrentUploads_zero_isRefused() {
            assertThatThrownBy(() -> PluginManager.builder().maxConcurrentUploads(0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Resume {
        @Test
        void install_afterAKilledDownload_fetchesOnlyTheRest() throws IOException {
            Descriptor layer = layers.get(0);
            long half = leaveHalfDownloaded(layer);
            Recording rec = new Recording(false);
            h.resolverWrapper = rec::wrap;
            try (PluginManager m = h.open()) {
                Plugin p = m.install(REMOTE).disabled().run();
                assertThat(h.root.resolve(p.id()).resolve("rootfs/l0.bin")).exists();
            }
            assertThat(rec.resumedFrom).containsExactly(half);
            assertThat(rec.bytes.get()).isEqualTo(allLayers() - half);
        }

        @Test
        void install_registryAnswersAWrongRange_startsTheLayerAgain() throws IOException {
            Descriptor layer = layers.get(0);
            long half = leaveHalfDownloaded(layer);
            Recording rec = new Recording(true);
            h.resolverWrapper = rec::wrap;
            try (PluginManager m = h.open()) {
                Plugin p = m.install(REMOTE).disabled().run();
                assertThat(h.root.resolve(p.id()).resolve("rootfs/l0.bin")).exists();
            }
            assertThat(rec.resumedFrom).containsExactly(half);
            assertThat(rec.bytes.get()).isEqualTo(allLayers());
        }

        @Test
        void install_storedPrefixIsCorrupt_startsTheLayerAgainAndVerifies() throws IOException {
            Descriptor layer = layers.get(0);
            FileContentStore store = FileContentStore.open(h.root.resolve("storage"));
            try (ContentWriter w = store.writer("layer-" + layer.digest(), layer.size(), layer.digest())) {
                w.write(new byte[(int) (layer.size() / 2)]);
            }
            Recording rec = new Recording(false);
            h.resolverWrapper = rec::wrap;
            try (PluginManager m = h.open()) {
                Plugin p = m.install(REMOTE).disabled().run();
                assertThat(h.root.resolve(p.id()).resolve("rootfs/l0.bin")).exists();
            }
            // the corrupt prefix is continued, fails to verify, and the layer is fetched again whole
            assertThat(rec.bytes.get()).isEqualTo(allLayers() + layer.size() - layer.size() / 2);
        }

        /** Writes the first half of a layer into the ingest an install uses, as a killed install leaves it. */
        private long leaveHalfDownloaded(Descriptor layer) throws IOException {
            byte[] all = h.registry.blob(layer.digest()).orElseThrow();
            int half = all.length / 2;
            FileContentStore store = FileContentStore.open(h.root.resolve("storage"));
            try (ContentWriter w = store.writer("layer-" + layer.digest(), layer.size(), layer.digest())) {
                w.write(all, 0, half);
            }
            return half;
        }
    }

    /** Publishes a plugin of three plain-tar layers of {@link #LAYER_SIZE} random bytes each. */
    static List<Descriptor> publishThreeLayers(Harness h, String remote) throws IOException {
        List<Descriptor> out = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 3; i++) {
            byte[] data = new byte[LAYER_SIZE];
            for (int j = 0; j < data.length; j++) {
                data[j] = (byte) random.nextInt(256);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                file(tar, "l" + i + ".bin", data);
                file(tar, "l2.bin", ("layer " + i).getBytes(StandardCharsets.UTF_8));
                if (i == 2) {
                    file(tar, "l2.bin", "third layer wins".getBytes(StandardCharsets.UTF_8));
                }
            }
            Descriptor d = h.registry.putBlob(MediaTypes.DOCKER_LAYER_TAR, bytes.toByteArray());
            out.add(d);
            diffIds.add(d.digest().toString());
        }
        byte[] config = PluginJson.encodeConfigBlob(PluginConfig.builder().description("layers")
                .entrypoint(List.of("/l0.bin"))
                .pluginInterface(new PluginInterface("", "layers.sock", null))
                .rootfs(new PluginRootfs(diffIds, "layers")).build());
        Descriptor configDesc = h.registry.putBlob(MediaTypes.DOCKER_PLUGIN_CONFIG, config);
        h.registry.putManifest(Reference.parse(remote), MediaTypes.DOCKER_MANIFEST_V2,
                OciJson.encodeManifest(Manifest.dockerPlugin(configDesc, out)));
        return out;
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** A resolver whose blob streams wait at a barrier of {@code parties} before their first byte, counting overlap. */
    static final class Gate {
        final CyclicBarrier barrier;
        final int parties;
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();

        Gate(int parties) {
            this.parties = parties;
            barrier = new CyclicBarrier(parties);
        }

        RegistryResolver wrap(RegistryResolver r) {
            return new Delegating(r) {
                @Override
                InputStream blob(InputStream in, Descriptor d) {
                    if (!MediaTypes.isLayer(d.mediaType())) {
                        return in;
                    }
                    peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                    boolean meet = started.incrementAndGet() <= parties;
                    return new FilterInputStream(in) {
                        boolean waited = !meet;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (!waited) {
                                waited = true;
                                try {
                                    // The first downloads meet here only if they run at once.
                                    barrier.await(20, TimeUnit.SECONDS);
                                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                                    throw new IOException("downloads did not overlap: " + e, e);
                                }
                            }
                            return super.read(b, off, len);
                        }

                        @Override
                        public void close() throws IOException {
                            open.decrementAndGet();
                            super.close();
                        }
                    };
                }
            };
        }
    }

    /** A resolver whose stream of one layer fails halfway. */
    static RegistryResolver failing(RegistryResolver r, Digest failing) {
        return new Delegating(r) {
            @Override
            InputStream blob(InputStream in, Descriptor d) {
                if (!d.digest().equals(failing)) {
                    return in;
                }
                return new FilterInputStream(in) {
                    long count;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (count > LAYER_SIZE / 2) {
                            throw new IOException("injected failure of " + failing);
                        }
                        int n = super.read(b, off, len);
                        count += Math.max(n, 0);
                        return n;
                    }
                };
            }
        };
    }

    /** Records the offsets resumed from and the blob bytes sent; optionally refuses every resume as a bad range. */
    static final class Recording {
        final boolean refuseResume;
        final List<Long> resumedFrom = new CopyOnWriteArrayList<>();
        final AtomicInteger bytes = new AtomicInteger();

        Recording(boolean refuseResume) {
            this.refuseResume = refuseResume;
        }

        RegistryResolver wrap(RegistryResolver r) {
            return new Delegating(r) {
                @Override
                InputStream resumed(Fetcher f, Descriptor d, Digester resume) {
                    resumedFrom.add(resume.count());
                    if (refuseResume) {
                        throw new RegistryException(RegistryException.Reason.PROTOCOL,
                                d.digest() + ": unhandled content range \"bytes 0-1/2\"");
                    }
                    return super.resumed(f, d, resume);
                }

                @Override
                InputStream blob(InputStream in, Descriptor d) {
                    if (!MediaTypes.isLayer(d.mediaType())) {
                        return in;
                    }
                    return new FilterInputStream(in) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            bytes.addAndGet(Math.max(n, 0));
                            return n;
                        }
                    };
                }
            };
        }
    }

    /** A resolver that hands every blob stream to {@link #blob} and every resumed fetch to {@link #resumed}. */
    abstract static class Delegating implements RegistryResolver {
        private final RegistryResolver delegate;

        Delegating(RegistryResolver delegate) {
            this.delegate = delegate;
        }

        abstract InputStream blob(InputStream in, Descriptor d);

        InputStream resumed(Fetcher f, Descriptor d, Digester resume) {
            return f.fetch(d, resume);
        }

        @Override
        public Descriptor resolve(Reference reference) {
            return delegate.resolve(reference);
        }

        @Override
        public Fetcher fetcher(Reference reference) {
            Fetcher f = delegate.fetcher(reference);
            return new Fetcher() {
                @Override
                public InputStream fetch(Descriptor d) {
                    return blob(f.fetch(d), d);
                }

                @Override
                public InputStream fetch(Descriptor d, Digester resume) {
                    return blob(resumed(f, d, resume), d);
                }
            };
        }

        @Override
        public Pusher pusher(Reference reference) {
            return delegate.pusher(reference);
        }
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
