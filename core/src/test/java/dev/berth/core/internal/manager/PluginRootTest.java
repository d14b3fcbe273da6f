package dev.berth.core.internal.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginConfig;
import dev.berth.plugin.PluginRecord;
import dev.berth.plugin.PluginSettings;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Docker's TestAtomicRemoveAll* cases and the record store, on an in-memory Unix file system. */
class PluginRootTest {
    private FileSystem fs;
    private Path rootDir;
    private PluginRoot root;

    @BeforeEach
    void setUp() {
        fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "posix").build());
        rootDir = fs.getPath("/plugins");
        root = PluginRoot.open(rootDir, false);
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private Path tree(String name) throws IOException {
        Path dir = rootDir.resolve(name);
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/file"), "x");
        return dir;
    }

    @Test
    void atomicRemove_normal_leavesNeitherDirNorRemoving() throws IOException {
        Path dir = tree("d");
        root.atomicRemove(dir);
        assertThat(Files.exists(dir)).isFalse();
        assertThat(Files.exists(rootDir.resolve("d-removing"))).isFalse();
    }

    @Test
    void atomicRemove_staleRemovingSibling_cleanedAndDirRemoved() throws IOException {
        Path dir = tree("d");
        tree("d-removing");
        root.atomicRemove(dir);
        assertThat(Files.exists(dir)).isFalse();
        assertThat(Files.exists(rootDir.resolve("d-removing"))).isFalse();
    }

    @Test
    void atomicRemove_missingDirWithStaleRemoving_succeedsAndLeavesNeither() throws IOException {
        tree("d-removing");
        root.atomicRemove(rootDir.resolve("d"));
        assertThat(Files.exists(rootDir.resolve("d-removing"))).isFalse();
    }

    @Test
    void save_writesPrivateRecordAtomically_andLoadReadsIt() throws IOException {
        String id = "a".repeat(64);
        Files.createDirectories(rootDir.resolve(id));
        PluginRecord r = new PluginRecord(new Plugin(id, "x:latest", false, "", PluginConfig.EMPTY, PluginSettings.EMPTY),
                "", Optional.empty(), List.of(), Optional.empty(), "");
        root.save(r);
        assertThat(Files.getPosixFilePermissions(rootDir.resolve(id).resolve("config.json")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        try (var files = Files.list(rootDir.resolve(id))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config.json");
        }
        assertThat(root.load().records()).containsExactly(r);
    }

    @Test
    void load_ignoresNonIdEntries_andReportsMismatchedIds() throws IOException {
        Files.createDirectories(rootDir.resolve("storage"));
        String id = "b".repeat(64);
        Files.createDirectories(rootDir.resolve(id));
        Files.writeString(rootDir.resolve(id).resolve("config.json"),
                "{\"plugin\":{\"Id\":\"" + "c".repeat(64) + "\",\"Name\":\"x\"}}");
        PluginRoot.Loaded loaded = root.load();
        assertThat(loaded.records()).isEmpty();
        assertThat(loaded.problems()).singleElement().extracting(PluginRoot.Problem::message).asString()
                .contains("does not match");
    }

    /**
     * A save killed between writing its temporary record and renaming it (set, enable, disable, or an
     * upgrade's pending record) left {@code <id>/.tmp-config.json<random>} in the plugin's directory for
     * good (found by KillAtEveryOperationTest). Loading the root removes it and keeps the record.
     */
    @Test
    void load_temporaryRecordOfAKilledSave_removed() throws IOException {
        String id = "d".repeat(64);
        Files.createDirectories(rootDir.resolve(id).resolve("rootfs"));
        PluginRecord r = new PluginRecord(new Plugin(id, "x:latest", false, "", PluginConfig.EMPTY, PluginSettings.EMPTY),
                "", Optional.empty(), List.of(), Optional.empty(), "");
        root.save(r);
        Files.writeString(rootDir.resolve(id).resolve(".tmp-config.json0123456789ab"), "{\"half\":");
        Files.writeString(rootDir.resolve(id).resolve(".tmp-upgrade.json0123456789ab"), "{");
        Files.writeString(rootDir.resolve(id).resolve("rootfs/.tmp-config.json0123456789ab"), "the plugin's own file");

        assertThat(root.load().records()).containsExactly(r);

        try (var files = Files.list(rootDir.resolve(id))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json", "rootfs");
        }
        assertThat(rootDir.resolve(id).resolve("rootfs/.tmp-config.json0123456789ab")).exists();
    }
}
