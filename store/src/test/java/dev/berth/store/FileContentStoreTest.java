package dev.berth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.content.CommitResult;
import dev.berth.content.ContentInfo;
import dev.berth.content.ContentLabels;
import dev.berth.content.ContentReader;
import dev.berth.content.ContentWriter;
import dev.berth.content.IngestLockedException;
import dev.berth.content.IngestStatus;
import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What FileContentStore promises beyond the contract: its layout on disk, Docker's stores, crashes. */
class FileContentStoreTest {
    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("storage");
    }

    private static Path ingestDir(Path root, String ref) {
        return root.resolve("ingest").resolve(Digest.sha256(ref).hex());
    }

    private static Digest commit(FileContentStore store, String ref, byte[] bytes, Map<String, String> labels)
            throws IOException {
        ContentWriter w = store.writer(ref);
        w.write(bytes);
        return w.commit(labels).digest();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    class Layout {
        @Test
        void open_missingRoot_createsItOwnerOnly() throws IOException {
            FileContentStore.open(root());
            assertThat(root().resolve("blobs")).isDirectory();
            assertThat(root().resolve("ingest")).isDirectory();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root()))).isEqualTo("rwx------");
        }

        @Test
        void commit_blob_landsAtContainerdPathReadOnlyWithASideFile() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            Digest digest = commit(store, "layer-x", bytes("layer bytes"), Map.of("k", "v"));
            Path blob = root().resolve("blobs/sha256/" + digest.hex());
            assertThat(blob).hasBinaryContent(bytes("layer bytes"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(blob))).isEqualTo("r--r--r--");
            assertThat(root().resolve("labels/sha256/" + digest.hex())).content().contains("label k v");
            assertThat(root().resolve("ingest")).isEmptyDirectory();
        }

        @Test
        void writer_open_keepsContainerdIngestFiles() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            byte[] content = bytes("0123456789");
            try (ContentWriter w = store.writer("layer-y", 10, Digest.sha256(content))) {
                w.write(content, 0, 4);
            }
            Path ingest = ingestDir(root(), "layer-y");
            assertThat(ingest.resolve("ref")).hasContent("layer-y");
            assertThat(ingest.resolve("data")).hasBinaryContent(bytes("0123"));
            assertThat(ingest.resolve("total")).hasContent("10");
            assertThat(ingest.resolve("expected")).hasContent(Digest.sha256(content).toString());
            assertThat(OffsetDateTime.parse(Files.readString(ingest.resolve("startedat")))).isNotNull();
            assertThat(OffsetDateTime.parse(Files.readString(ingest.resolve("updatedat")))).isNotNull();
        }

        @Test
        void writer_withoutSize_writesNoTotalFile() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            store.writer("no-size").close();
            assertThat(ingestDir(root(), "no-size").resolve("total")).doesNotExist();
        }
    }

    @Nested
    class DockerStorage {
        private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

        /** Lays out blobs the way dockerd 20.10 leaves {@code plugins/storage}: read-only, no labels. */
        private Path dockerStorage(List<String> fixtures) throws IOException {
            Path storage = dir.resolve("plugins/storage");
            Path blobs = Files.createDirectories(storage.resolve("blobs/sha256"));
            Files.createDirectories(storage.resolve("ingest"));
            for (String name : fixtures) {
                byte[] content = fixture(name);
                Path blob = blobs.resolve(Digest.sha256(content).hex());
                Files.write(blob, content);
                Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("r--r--r--"));
                Files.setLastModifiedTime(blob, FileTime.from(Instant.parse("2024-05-01T10:00:00Z")));
            }
            return storage;
        }

        private byte[] fixture(String name) throws IOException {
            try (InputStream in = FileContentStoreTest.class.getResourceAsStream("/docker-storage/" + name)) {
                assertThat(in).as(name).isNotNull();
                return in.readAllBytes();
            }
        }

        @Test
        void open_dockerPluginStorage_readsEveryBlobAndFollowsTheManifest() throws IOException {
            List<String> files = List.of("tiny-plugin-manifest.json", "tiny-plugin-config.json",
                    "tiny-plugin-layer.tar.gz", "dockerd-content-store-manifest.after-create.json",
                    "dockerd-content-store-config.after-create.json");
            Path storage = dockerStorage(files);
            FileContentStore store = FileContentStore.open(storage);
            assertThat(storage.resolve("labels")).doesNotExist(); // opening adds nothing Docker lacks

            List<Digest> walked = new ArrayList<>();
            store.walk(ContentLabels.all(), info -> walked.add(info.digest()));
            assertThat(walked).hasSize(files.size());
            for (String name : files) {
                Digest digest = Digest.sha256(fixture(name));
                store.verify(digest);
                try (InputStream in = store.stream(digest)) {
                    assertThat(in.readAllBytes()).isEqualTo(fixture(name));
                }
                ContentInfo info = store.info(digest).orElseThrow();
                assertThat(info.labels()).isEmpty();
                assertThat(info.createdAt()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
            }
            // The tiny plugin's manifest names its config and layer, which are present and verify.
            String manifest = new String(fixture("tiny-plugin-manifest.json"), StandardCharsets.UTF_8);
            Matcher m = DIGEST.matcher(manifest);
            int referenced = 0;
            while (m.find()) {
                Digest child = Digest.parse(m.group());
                assertThat(store.info(child)).as(child.toString()).isPresent();
                store.verify(child);
                referenced++;
            }
            assertThat(referenced).isEqualTo(2);
            // Labels can be added to a blob Docker wrote, without touching the blob.
            Digest config = Digest.sha256(fixture("tiny-plugin-config.json"));
            assertThat(store.updateLabels(config, Map.of(ContentLabels.GC_ROOT, "x")).labels())
                    .containsEntry(ContentLabels.GC_ROOT, "x");
            store.verify(config);
        }

        @Test
        void writer_containerdIngestWithLocalOffsetTimes_resumes() throws IOException {
            Path storage = dockerStorage(List.of());
            String ref = "layer-sha256:144b4ad1bc174175d2d30609a18ca48b356912f7ac4ad3e4b383d2c3b26af79c";
            Path ingest = Files.createDirectories(ingestDir(storage, ref));
            Files.writeString(ingest.resolve("ref"), ref);
            Files.write(ingest.resolve("data"), bytes("partial layer"));
            Files.writeString(ingest.resolve("startedat"), "2024-05-01T12:00:00.123456789+02:00");
            Files.writeString(ingest.resolve("updatedat"), "2024-05-01T12:00:01.5+02:00");
            Files.writeString(ingest.resolve("total"), "1430590");
            FileContentStore store = FileContentStore.builder(storage)
                    .clock(Clock.fixed(Instant.parse("2024-05-01T11:00:00Z"), ZoneOffset.UTC)).open();

            IngestStatus status = store.status(ref).orElseThrow();
            assertThat(status.offset()).isEqualTo(13);
            assertThat(status.total()).hasValue(1430590);
            assertThat(status.startedAt()).isEqualTo(Instant.parse("2024-05-01T10:00:00.123456789Z"));
            assertThat(status.updatedAt()).isEqualTo(Instant.parse("2024-05-01T10:00:01.5Z"));
            try (ContentWriter w = store.writer(ref, OptionalLong.of(1430590), Optional.empty())) {
                assertThat(w.status().offset()).isEqualTo(13);
                assertThat(w.digest()).isEqualTo(Digest.sha256(bytes("partial layer")));
            }
        }
    }

    @Nested
    class CrashStates {
        @Test
        void writer_ingestWithoutRefFile_startsOver() throws IOException {
            FileContentStore.open(root());
            Path ingest = Files.createDirectories(ingestDir(root(), "half-reset"));
            Files.write(ingest.resolve("data"), bytes("stale bytes"));
            FileContentStore store = FileContentStore.open(root());
            assertThat(store.status("half-reset")).isEmpty();
            try (ContentWriter w = store.writer("half-reset")) {
                assertThat(w.status().offset()).isZero();
            }
            assertThat(ingest.resolve("data")).isEmptyFile();
        }

        @Test
        void writer_emptyTimestampFiles_readAsTheZeroTime() throws IOException {
            FileContentStore.open(root());
            Path ingest = Files.createDirectories(ingestDir(root(), "empty-times"));
            Files.writeString(ingest.resolve("ref"), "empty-times");
            Files.write(ingest.resolve("data"), bytes("abc"));
            Files.writeString(ingest.resolve("startedat"), "");
            Files.writeString(ingest.resolve("updatedat"), "");
            // A recent data file keeps the ingest from being swept as stale.
            FileContentStore store = FileContentStore.open(root());
            IngestStatus status = store.status("empty-times").orElseThrow();
            assertThat(status.startedAt()).isEqualTo(Instant.EPOCH);
            assertThat(status.offset()).isEqualTo(3);
        }

        @Test
        void writer_ingestLongerThanItsTotal_isReset() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            try (ContentWriter w = store.writer("too-long", OptionalLong.of(5), Optional.empty())) {
                w.write(bytes("12345"));
            }
            // A crash of some other writer appended past the total.
            Files.write(ingestDir(root(), "too-long").resolve("data"), bytes("1234567"));
            try (ContentWriter w = store.writer("too-long", OptionalLong.of(5), Optional.empty())) {
                assertThat(w.status().offset()).isZero();
            }
        }

        @Test
        void commit_afterACrashBetweenRenameAndCleanup_reportsAlreadyExists() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            byte[] content = bytes("published just before the crash");
            Digest digest = commit(store, "other", content, Map.of());
            // What a crash right after the rename leaves: the ingest directory without its data.
            Path ingest = Files.createDirectories(ingestDir(root(), "crashed"));
            Files.writeString(ingest.resolve("ref"), "crashed");
            Files.writeString(ingest.resolve("startedat"), Instant.now().toString());
            Files.writeString(ingest.resolve("updatedat"), Instant.now().toString());
            FileContentStore reopened = FileContentStore.open(root());
            ContentWriter w = reopened.writer("crashed", content.length, digest);
            assertThat(w.status().offset()).isZero();
            w.write(content);
            assertThat(w.commit(content.length, digest, Map.of()).outcome())
                    .isEqualTo(CommitResult.Outcome.ALREADY_EXISTS);
            assertThat(reopened.status("crashed")).isEmpty();
        }

        @Test
        void commit_afterACrashBetweenSideFileAndRename_replacesTheOrphanLabels() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            byte[] content = bytes("never published");
            Digest digest = Digest.sha256(content);
            Path side = Files.createDirectories(root().resolve("labels/sha256")).resolve(digest.hex());
            Files.writeString(side, "berth-blob-info 1\ncreated 2020-01-01T00:00:00Z\nupdated 2020-01-01T00:00:00Z\n"
                    + "label orphan yes\n");
            Files.writeString(side.resolveSibling(digest.hex() + ".1234.tmp"), "half");
            FileContentStore reopened = FileContentStore.open(root());
            assertThat(side.resolveSibling(digest.hex() + ".1234.tmp")).doesNotExist();
            assertThat(reopened.info(digest)).isEmpty();
            commit(reopened, "now", content, Map.of("fresh", "1"));
            assertThat(reopened.info(digest).orElseThrow().labels()).isEqualTo(Map.of("fresh", "1"));
            assertThat(store.info(digest)).isPresent();
        }

        @Test
        void info_damagedSideFile_isIgnored() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            Digest digest = commit(store, "damaged", bytes("x"), Map.of("a", "b"));
            Files.writeString(root().resolve("labels/sha256/" + digest.hex()), "garbage\n");
            ContentInfo info = store.info(digest).orElseThrow();
            assertThat(info.labels()).isEmpty();
            assertThat(info.size()).isEqualTo(1);
        }
    }

    @Nested
    class Sweep {
        private final Instant now = Instant.parse("2026-01-10T00:00:00Z");

        private FileContentStore openAt(Instant instant) throws IOException {
            return FileContentStore.builder(root()).clock(Clock.fixed(instant, ZoneOffset.UTC))
                    .staleIngestAge(Duration.ofHours(24)).open();
        }

        @Test
        void open_ingestOlderThanTheStaleAge_isRemoved() throws IOException {
            try (ContentWriter w = openAt(now.minus(Duration.ofDays(2))).writer("old")) {
                w.write(bytes("old bytes"));
            }
            try (ContentWriter w = openAt(now.minus(Duration.ofHours(1))).writer("fresh")) {
                w.write(bytes("fresh bytes"));
            }
            // The file times must tell the same story as the fixed clocks did.
            touch("old", now.minus(Duration.ofDays(2)));
            touch("fresh", now.minus(Duration.ofHours(1)));
            FileContentStore store = openAt(now);
            assertThat(store.status("old")).isEmpty();
            assertThat(ingestDir(root(), "old")).doesNotExist();
            assertThat(store.status("fresh")).map(IngestStatus::offset).contains(11L);
        }

        private void touch(String ref, Instant when) throws IOException {
            Files.setLastModifiedTime(ingestDir(root(), ref).resolve("data"), FileTime.from(when));
        }

        @Test
        void open_staleUpdatedAtButRecentlyWrittenData_isKept() throws IOException {
            // A writer that crashed never recorded its last update; the data file's time did.
            try (ContentWriter w = openAt(now.minus(Duration.ofDays(5))).writer("crashed-writer")) {
                w.write(bytes("abc"));
            }
            touch("crashed-writer", now.minus(Duration.ofMinutes(5)));
            assertThat(openAt(now).status("crashed-writer")).isPresent();
        }

        @Test
        void open_staleIngestHeldByAWriter_isKept() throws IOException {
            FileContentStore first = openAt(now.minus(Duration.ofDays(3)));
            try (ContentWriter w = first.writer("held")) {
                w.write(bytes("in use"));
                touch("held", now.minus(Duration.ofDays(3)));
                openAt(now); // sweeps, but the ref is locked
                assertThat(ingestDir(root(), "held").resolve("data")).hasBinaryContent(bytes("in use"));
            }
            assertThat(first.status("held")).isPresent();
        }

        @Test
        void staleIngestAge_notPositive_isRefused() {
            assertThatThrownBy(() -> FileContentStore.builder(root()).staleIngestAge(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Corruption {
        private Digest committed(FileContentStore store) throws IOException {
            return commit(store, "victim", bytes("the genuine bytes of a layer"), Map.of());
        }

        private Path blob(Digest digest) {
            return root().resolve("blobs/sha256/" + digest.hex());
        }

        private void rewrite(Path blob, byte[] content) throws IOException {
            Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
            Files.write(blob, content);
        }

        @ParameterizedTest
        @ValueSource(strings = {"flip", "truncate", "append-nul"})
        void verify_damagedBlob_isADigestMismatch(String damage) throws IOException {
            FileContentStore store = FileContentStore.open(root());
            Digest digest = committed(store);
            byte[] content = Files.readAllBytes(blob(digest));
            byte[] damaged = switch (damage) {
                case "flip" -> {
                    content[3] ^= 1;
                    yield content;
                }
                case "truncate" -> java.util.Arrays.copyOf(content, content.length - 1);
                default -> java.util.Arrays.copyOf(content, content.length + 1);
            };
            rewrite(blob(digest), damaged);

            assertThatThrownBy(() -> store.verify(digest)).isInstanceOf(DigestMismatchException.class)
                    .satisfies(e -> assertThat(((DigestMismatchException) e).expected()).isEqualTo(digest));
            try (InputStream in = store.verifiedStream(digest)) {
                assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class);
            }
        }

        @Test
        void reader_symlinkInPlaceOfABlob_isNotServed() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            Digest digest = committed(store);
            Path outside = Files.writeString(dir.resolve("outside"), "not a blob");
            Files.delete(blob(digest));
            Files.createSymbolicLink(blob(digest), outside);
            assertThatThrownBy(() -> store.reader(digest)).isInstanceOf(NotFoundException.class);
            assertThat(store.info(digest)).isEmpty();
        }
    }

    @Nested
    class ForeignFiles {
        @Test
        void walk_foreignFilesInBlobs_areIgnored() throws IOException {
            FileContentStore store = FileContentStore.open(root());
            Digest digest = commit(store, "real", bytes("real"), Map.of());
            Path sha = root().resolve("blobs/sha256");
            Files.writeString(sha.resolve("README"), "hello");
            Files.writeString(sha.resolve("abc"), "short name");
            Files.writeString(sha.resolve(digest.hex() + ".tmp"), "temp");
            Files.writeString(sha.resolve(digest.hex().toUpperCase(java.util.Locale.ROOT)), "upper");
            Files.createDirectories(sha.resolve("0".repeat(64)));
            Files.createDirectories(root().resolve("blobs/md5"));
            Files.writeString(root().resolve("blobs/md5/" + "0".repeat(32)), "md5");
            Files.writeString(root().resolve("ingest/stray-file"), "not an ingest");
            List<Digest> walked = new ArrayList<>();
            store.walk(ContentLabels.all(), info -> walked.add(info.digest()));
            assertThat(walked).containsExactly(digest);
            assertThat(store.statuses(s -> true)).isEmpty();
            FileContentStore.open(root()); // the sweep copes too
        }
    }

    @Nested
    class Locking {
        @Test
        void writer_heldBySecondInstanceInThisProcess_isLocked() throws IOException {
            FileContentStore first = FileContentStore.open(root());
            FileContentStore second = FileContentStore.open(root());
            try (ContentWriter w = first.writer("shared")) {
                assertThatThrownBy(() -> second.writer("shared")).isInstanceOf(IngestLockedException.class)
                        .hasMessageContaining("another store instance");
                assertThatThrownBy(() -> second.abort("shared")).isInstanceOf(IngestLockedException.class);
                w.write(bytes("still mine"));
            }
            try (ContentWriter w = second.writer("shared")) {
                assertThat(w.status().offset()).isEqualTo(10);
            }
        }

        @Test
        void reader_readAt_isSafeFromManyThreads() throws Exception {
            FileContentStore store = FileContentStore.open(root());
            byte[] content = new byte[1 << 20];
            new java.util.Random(7).nextBytes(content);
            Digest digest = commit(store, "parallel", content, Map.of());
            try (ContentReader reader = store.reader(digest)) {
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < 4; t++) {
                    int start = t;
                    Thread thread = new Thread(() -> {
                        try {
                            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4096);
                            for (long pos = start * 4096L; pos < content.length; pos += 4 * 4096L) {
                                buffer.clear();
                                int n = reader.readAt(buffer, pos);
                                assertThat(java.util.Arrays.copyOf(buffer.array(), n))
                                        .isEqualTo(java.util.Arrays.copyOfRange(content, (int) pos, (int) pos + n));
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    thread.join(Duration.ofSeconds(30).toMillis());
                }
                assertThat(failures).isEmpty();
            }
        }
    }
}
