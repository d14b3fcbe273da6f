package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PrivilegesNotGrantedException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.layout.OciArchive;
import dev.berth.registry.layout.OciArchiveWriter;
import dev.berth.registry.layout.OciLayoutResolver;
import dev.berth.testkit.registry.TestPlugin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Save (export into an archive) and load (install from it) on one manager, each into a fresh root. */
class SaveLoadTest {
    static final String NAME = "localhost:5000/acme/volume:1.0";

    @TempDir
    Path tmp;
    Harness source;
    Harness target;
    Descriptor published;

    @BeforeEach
    void setUp() {
        source = new Harness(tmp.resolve("a"), tmp.resolve("a-exec"));
        target = new Harness(tmp.resolve("b"), tmp.resolve("b-exec"));
        published = TestPlugin.builder().file("bin/plugin", "hello").capabilities("CAP_SYS_ADMIN")
                .publish(source.registry, NAME);
    }

    byte[] save(PluginManager m, List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OciArchiveWriter w = OciArchiveWriter.to(out);
        m.export(names, w);
        w.finish();
        return out.toByteArray();
    }

    @Test
    void saveThenLoad_installsTheSamePluginWithTheSameDigests() throws IOException {
        Path archive = tmp.resolve("p.tar");
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            List<PushedPlugin> saved;
            try (OutputStream out = Files.newOutputStream(archive)) {
                OciArchiveWriter w = OciArchiveWriter.to(out);
                saved = a.export(List.of(NAME), w);
                w.finish();
            }
            assertThat(saved).singleElement().satisfies(p -> {
                assertThat(p.reference()).isEqualTo(NAME);
                assertThat(p.digest()).isEqualTo(published.digest());
            });
        }
        try (PluginManager b = target.open(); OciArchive in = OciArchive.open(archive)) {
            assertThat(in.entries()).singleElement().satisfies(e -> assertThat(e.imageName()).contains(NAME));
            List<PluginPrivilege> privileges = b.privileges(NAME, in);
            assertThat(privileges).extracting(PluginPrivilege::name).contains("capabilities");
            Plugin p = b.install(NAME).from(in).grant(privileges).disabled().run();

            assertThat(p.name()).isEqualTo("localhost:5000/acme/volume:1.0");
            assertThat(p.pluginReference()).isEqualTo(NAME);
            assertThat(Files.readString(target.root.resolve(p.id()).resolve("rootfs/bin/plugin"))).isEqualTo("hello");
            // the loaded root holds the registry's manifest, byte for byte
            assertThat(Files.exists(target.root.resolve("storage/blobs/sha256").resolve(published.digest().hex())))
                    .isTrue();
            assertThat(target.registry.blobCount()).isZero(); // the manager's own registry was never used
        }
    }

    @Test
    void install_withoutTheGrant_isRefusedAndLeavesTheRootAsItWas() {
        byte[] tar;
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            tar = save(a, List.of(NAME));
        }
        try (PluginManager b = target.open()) {
            RootSnapshot before = RootSnapshot.of(target.root);
            try (OciArchive in = OciArchive.read(new ByteArrayInputStream(tar), tmp)) {
                assertThatThrownBy(() -> b.install(NAME).from(in).disabled().run())
                        .isInstanceOf(PrivilegesNotGrantedException.class);
            }
            assertThat(RootSnapshot.of(target.root).withoutJournal()).isEqualTo(before.withoutJournal());
            assertThat(b.list()).isEmpty();
        }
    }

    @Test
    void layerNotMatchingItsDigest_failsTheLoad_andLeavesTheRootAsItWas() throws IOException {
        byte[] tar;
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            tar = save(a, List.of(NAME));
        }
        // flip one byte inside the largest blob (the layer) of the archive: its digest no longer matches
        flipInLargestBlob(tar);
        Path archive = Files.write(tmp.resolve("evil.tar"), tar);
        try (PluginManager b = target.open(); OciArchive in = OciArchive.open(archive)) {
            RootSnapshot before = RootSnapshot.of(target.root);
            assertThatThrownBy(() -> b.install(NAME).from(in).grantAllPrivileges().disabled().run())
                    .isInstanceOf(DigestMismatchException.class);
            assertThat(RootSnapshot.of(target.root).withoutJournal()).isEqualTo(before.withoutJournal());
        }
    }

    @Test
    void export_unknownName_writesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            assertThatThrownBy(() -> a.export(List.of(NAME, "nope"), OciArchiveWriter.to(out)))
                    .isInstanceOf(NotFoundException.class);
        }
        assertThat(out.size()).isZero();
    }

    @Test
    void export_toALayoutDirectory_isReadableAsALayout() {
        Path layout = tmp.resolve("layout");
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            a.export(List.of(NAME), OciLayoutResolver.open(layout));
        }
        assertThat(OciLayoutResolver.open(layout).resolve(Reference.parse(NAME)).digest()).isEqualTo(published.digest());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void export_runsBesideAnInstallOnTheSameManager() throws Exception {
        TestPlugin.builder().file("bin/plugin", "other").publish(source.registry, "localhost:5000/acme/other:1.0");
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
            // a source that blocks mid-export until a second install on the same manager has finished
            Thread installer = new Thread(() -> a.install("localhost:5000/acme/other:1.0").grantAllPrivileges()
                    .disabled().run());
            OutputStream slow = new OutputStream() {
                boolean started;

                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (!started) {
                        started = true;
                        installer.start();
                        try {
                            installer.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            OciArchiveWriter w = OciArchiveWriter.to(slow);
            a.export(List.of(NAME), w);
            w.finish();
            assertThat(a.list()).extracting(Plugin::name).contains("localhost:5000/acme/other:1.0");
        }
    }

    @Test
    void readOnlyManager_canSave() throws IOException {
        try (PluginManager a = source.open()) {
            a.install(NAME).grantAllPrivileges().disabled().run();
        }
        try (PluginManager ro = source.openWith(b -> b.readOnly(true))) {
            byte[] tar = save(ro, List.of(NAME));
            try (OciArchive in = OciArchive.read(new ByteArrayInputStream(tar), tmp);
                 InputStream m = in.fetcher(Reference.parse(NAME)).fetch(in.resolve(Reference.parse(NAME)))) {
                assertThat(Digest.sha256(m.readAllBytes())).isEqualTo(published.digest());
            }
        }
    }

    /** Flips a byte in the middle of the largest tar entry. */
    static void flipInLargestBlob(byte[] tar) {
        long best = -1;
        int at = -1;
        for (int pos = 0; pos + 512 <= tar.length; ) {
            boolean zero = true;
            for (int i = 0; i < 512 && zero; i++) {
                zero = tar[pos + i] == 0;
            }
            if (zero) {
                break;
            }
            long size = Long.parseLong(new String(tar, pos + 124, 11, java.nio.charset.StandardCharsets.US_ASCII), 8);
            if (size > best) {
                best = size;
                at = pos + 512 + (int) (size / 2);
            }
            pos += 512 + (int) ((size + 511) / 512 * 512);
        }
        tar[at] ^= 1;
    }
}
