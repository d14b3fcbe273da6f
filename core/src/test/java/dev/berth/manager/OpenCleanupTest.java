package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.content.ContentCopy;
import dev.berth.content.ContentWriter;
import dev.berth.oci.Digest;
import dev.berth.plugin.Plugin;
import dev.berth.store.FileContentStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a manager cleans when it opens its root after a process was killed: blobs no record names (a
 * killed install, create, upgrade or remove leaves them) and ingests no operation will resume; and what
 * it keeps: partial layer downloads, ingests another process is writing, everything when the collection
 * is off, when the root is read-only or when a record could not be read.
 */
@SuppressWarnings("try") // managers opened only for what their open does
class OpenCleanupTest {
    static final String REMOTE = "localhost:5000/test/vol:1";

    @TempDir
    Path temp;
    Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness(temp.resolve("plugins"), temp.resolve("exec"));
        h.publish(REMOTE, Contexts.simple());
    }

    private Plugin install() {
        try (PluginManager m = h.open()) {
            return m.install(REMOTE).disabled().run();
        }
    }

    /** Commits a blob no record names, as a process killed after the commit leaves it. */
    private Digest orphan(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        ContentCopy.writeBlob(FileContentStore.open(h.root.resolve("storage")), "layer-" + d,
                new ByteArrayInputStream(bytes), bytes.length, d, Map.of());
        return d;
    }

    private Path blob(Digest d) {
        return h.root.resolve("storage/blobs/sha256").resolve(d.hex());
    }

    /** Writes half of a blob under {@code ref} and leaves the ingest, as a killed process does. */
    private void partialIngest(String ref, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FileContentStore store = FileContentStore.open(h.root.resolve("storage"));
        try (ContentWriter w = store.writer(ref, OptionalLong.of(bytes.length), Optional.of(Digest.sha256(bytes)))) {
            w.write(bytes, 0, bytes.length / 2);
        }
    }

    @Test
    void open_orphanBlobOfAKilledOperation_collectedAndPluginsBlobsKept() throws IOException {
        Plugin p = install();
        long before;
        try (var list = Files.list(h.root.resolve("storage/blobs/sha256"))) {
            before = list.count();
        }
        Digest orphan = orphan("left by a killed install");

        try (PluginManager m = h.open()) {
            assertThat(blob(orphan)).doesNotExist();
            try (var list = Files.list(h.root.resolve("storage/blobs/sha256"))) {
                assertThat(list.count()).isEqualTo(before);
            }
            m.push(p.name()); // every blob of the plugin is still there
        }
    }

    @Test
    void open_gcAfterRemoveOff_keepsOrphans() throws IOException {
        install();
        Digest orphan = orphan("kept");

        try (PluginManager m = h.openWith(b -> b.gcAfterRemove(false))) {
            assertThat(blob(orphan)).isRegularFile();
        }
    }

    @Test
    void open_readOnly_keepsOrphans() throws IOException {
        install();
        Digest orphan = orphan("kept");

        try (PluginManager m = h.openWith(b -> b.readOnly(true))) {
            assertThat(blob(orphan)).isRegularFile();
        }
    }

    @Test
    void open_unreadableRecord_keepsEveryBlob() throws IOException {
        install();
        Digest orphan = orphan("perhaps the unreadable record's");
        Path ghost = h.root.resolve("e".repeat(64));
        Files.createDirectories(ghost);
        Files.writeString(ghost.resolve("config.json"), "{not json");

        try (PluginManager m = h.open()) {
            assertThat(m.loadProblems()).hasSize(1);
            assertThat(blob(orphan)).isRegularFile();
        }
    }

    @Test
    void open_leftIngests_layerDownloadKeptForResumeOthersAborted() throws IOException {
        String layer = "layer-" + Digest.sha256("a layer".getBytes(StandardCharsets.UTF_8));
        partialIngest(layer, "a layer");
        partialIngest("create-x:latest-0123456789abcdef", "a created layer");
        partialIngest("manifest-" + Digest.sha256("a manifest".getBytes(StandardCharsets.UTF_8)), "a manifest");

        try (PluginManager m = h.open()) {
            FileContentStore store = FileContentStore.open(h.root.resolve("storage"));
            assertThat(store.statuses(s -> true)).extracting(s -> s.ref()).containsExactly(layer);
        }
    }

    @Test
    void open_ingestAnotherProcessWrites_kept() throws IOException {
        // A second store instance stands for another process: its writer holds the ingest's file lock.
        FileContentStore other = FileContentStore.open(h.root.resolve("storage"));
        byte[] bytes = "written elsewhere".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        try (ContentWriter w = other.writer("create-elsewhere", OptionalLong.of(bytes.length), Optional.of(d))) {
            w.write(bytes, 0, 4);

            try (PluginManager m = h.open()) {
                assertThat(other.status("create-elsewhere")).isPresent();
            }

            w.write(bytes, 4, bytes.length - 4);
            w.commit(OptionalLong.of(bytes.length), Optional.of(d), Map.of());
        }
        assertThat(blob(d)).isRegularFile();
    }
}
