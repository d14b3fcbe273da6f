package dev.berth.testkit.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsApplier;
import dev.berth.rootfs.RootfsLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link RootfsApplier} must pass, as documented in {@code dev.berth.rootfs}: layers
 * (plain, gzip, sniffed) applied in order onto a directory; the diff ID and size of the whole
 * uncompressed stream; the stream read to its end and left open; nothing outside the root created,
 * written or removed, whatever the layer holds; hostile, malformed, oversized and unsupported layers
 * refused with an {@link ArchiveException} of the documented kind.
 *
 * <p>To run it, extend this class in a test and implement {@link #applier(RootfsLimits)}. Each test gets
 * a fresh work directory (by default a JUnit temporary directory on the default file system; override
 * {@link #newWorkDir()} to run on another one, such as Jimfs) holding the root and, next to it, a victim
 * directory whose single file must come through every test untouched: the oracle for confinement.
 * Where the SPI lets an implementation either confine a hostile entry or refuse it (an absolute name,
 * a symlink met as a parent), the suite accepts both and checks only the victim.
 *
 * <p>Whiteouts are not part of the SPI's documented contract, so their meaning is not tested here;
 * only that a whiteout entry, like any other, never removes anything outside the root.
 */
public abstract class RootfsApplierContract {
    private static final String VICTIM_CONTENT = "hello, I must stay\n";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path tempDir;

    /** The work directory of this test: holds {@link #root} and the victim. */
    protected Path work;
    /** The directory layers are applied onto; fresh and empty for each test. */
    protected Path root;
    /** The victim directory, a sibling of the root. */
    protected Path victimDir;
    /** The victim file, {@code victimDir/hello}. */
    protected Path victim;
    private List<String> workListing;

    /** For subclasses. */
    protected RootfsApplierContract() {
    }

    /**
     * The applier under test, enforcing {@code limits}; the limit cases pass small ones, the others
     * {@link RootfsLimits#defaults()}.
     */
    protected abstract RootfsApplier applier(RootfsLimits limits);

    /**
     * A fresh, empty, private directory for one test. Default: a JUnit temporary directory on the
     * default file system.
     */
    protected Path newWorkDir() throws IOException {
        return tempDir;
    }

    @BeforeEach
    final void createRoot() throws IOException {
        work = newWorkDir();
        root = Files.createDirectory(work.resolve("root"));
        if (root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // a root writable by others may be refused (symlink-exchange races), whatever the umask
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        victimDir = Files.createDirectory(work.resolve("victim"));
        victim = Files.writeString(victimDir.resolve("hello"), VICTIM_CONTENT);
        workListing = listing(work);
    }

    /** Releases what {@link #newWorkDir()} made (e.g. closes a Jimfs); called after the victim check. */
    protected void closeWorkDir(Path closing) throws IOException {
    }

    @AfterEach
    final void victimUntouched() throws IOException {
        try {
            assertVictimUntouched();
        } finally {
            closeWorkDir(work);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Applies a plain tar layer with the default limits. */
    protected AppliedLayer apply(byte[] layer) {
        return apply(layer, MediaTypes.OCI_LAYER_TAR, RootfsLimits.defaults());
    }

    /** Applies a layer. */
    protected AppliedLayer apply(byte[] layer, String mediaType, RootfsLimits limits) {
        return applier(limits).apply(new ByteArrayInputStream(layer), mediaType, root);
    }

    /** Applies, checks the victim whatever happened, and returns the refusal, if any. */
    protected Optional<ArchiveException> attempt(byte[] layer) {
        return attempt(layer, MediaTypes.OCI_LAYER_TAR, RootfsLimits.defaults());
    }

    /** Applies, checks the victim whatever happened, and returns the refusal, if any. */
    protected Optional<ArchiveException> attempt(byte[] layer, String mediaType, RootfsLimits limits) {
        try {
            apply(layer, mediaType, limits);
            return Optional.empty();
        } catch (ArchiveException e) {
            return Optional.of(e);
        } finally {
            assertVictimUntouched();
        }
    }

    /** Asserts that the victim kept its one file and its content, and that nothing appeared next to the root. */
    protected void assertVictimUntouched() {
        try {
            assertThat(listing(work)).as("nothing new next to the root").isEqualTo(workListing);
            assertThat(listing(victimDir)).as("the victim directory").containsExactly("hello");
            assertThat(Files.isRegularFile(victim, NOFOLLOW)).as("the victim is still a regular file").isTrue();
            assertThat(Files.readString(victim)).as("the victim's content").isEqualTo(VICTIM_CONTENT);
        } catch (IOException e) {
            fail("cannot check the victim", e);
        }
    }

    static void assertKind(Optional<ArchiveException> refusal, Kind kind) {
        assertThat(refusal).as("expected a %s refusal", kind).isPresent();
        assertThat(refusal.get().kind()).as(refusal.get().getMessage()).isEqualTo(kind);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static byte[] tree() {
        return Tar.builder().dir("etc").file("etc/hostname", "plugin\n").dir("bin").file("bin/tool", "#!/bin/sh\n")
                .symlink("bin/sh", "/bin/busybox").bytes();
    }

    private void assertTree() throws IOException {
        assertThat(Files.isDirectory(root.resolve("etc"), NOFOLLOW)).isTrue();
        assertThat(read(root.resolve("etc/hostname"))).isEqualTo("plugin\n");
        assertThat(read(root.resolve("bin/tool"))).isEqualTo("#!/bin/sh\n");
        assertThat(Files.isSymbolicLink(root.resolve("bin/sh"))).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("bin/sh")).toString()).as("stored verbatim")
                .isEqualTo("/bin/busybox");
    }

    /** A stream that records whether it was closed and whether it was read to its end. */
    static final class Recording extends ByteArrayInputStream {
        boolean closed;

        Recording(byte[] bytes) {
            super(bytes);
        }

        boolean atEnd() {
            return pos == count;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ------------------------------------------------------------------ the contract

    @Nested
    class Apply {
        @Test
        void apply_plainTar_createsFilesDirectoriesAndVerbatimSymlinks() throws IOException {
            apply(tree());

            assertTree();
        }

        @ParameterizedTest
        @ValueSource(strings = {MediaTypes.OCI_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.OCTET_STREAM})
        void apply_gzipLayer_sameTreeAsPlain(String mediaType) throws IOException {
            apply(Tar.gzip(tree()), mediaType, RootfsLimits.defaults());

            assertTree();
        }

        @ParameterizedTest
        @ValueSource(strings = {MediaTypes.OCI_LAYER_TAR, MediaTypes.DOCKER_LAYER_TAR, MediaTypes.OCTET_STREAM})
        void apply_plainLayer_anyPlainOrGenericType_applied(String mediaType) throws IOException {
            apply(tree(), mediaType, RootfsLimits.defaults());

            assertTree();
        }

        @Test
        void apply_plainLayer_returnsDigestAndSizeOfTheWholeStreamTrailingBytesIncluded() {
            // past the end-of-archive blocks and the 10 KiB record: trailing zeros count too
            byte[] layer = Arrays.copyOf(tree(), tree().length + 3 * 512);

            AppliedLayer applied = apply(layer);

            assertThat(applied.diffId()).isEqualTo(Digest.sha256(layer));
            assertThat(applied.size()).isEqualTo(layer.length);
        }

        @Test
        void apply_gzipLayer_returnsDigestAndSizeOfTheUncompressedStream() {
            byte[] layer = tree();

            AppliedLayer applied = apply(Tar.gzip(layer), MediaTypes.OCI_LAYER_GZIP, RootfsLimits.defaults());

            assertThat(applied.diffId()).isEqualTo(Digest.sha256(layer));
            assertThat(applied.size()).isEqualTo(layer.length);
        }

        @Test
        void apply_layer_countsEveryEntry() {
            assertThat(apply(tree()).entries()).isEqualTo(5);
        }

        @Test
        void apply_layer_readsTheStreamToItsEndAndLeavesItOpen() {
            Recording in = new Recording(Arrays.copyOf(tree(), tree().length + 4096));

            applier(RootfsLimits.defaults()).apply(in, MediaTypes.OCI_LAYER_TAR, root);

            assertThat(in.atEnd()).as("read to its end").isTrue();
            assertThat(in.closed).as("closed").isFalse();
        }

        @Test
        void apply_twoLayersInOrder_theLaterOneWins() throws IOException {
            apply(Tar.builder().dir("d").file("d/kept", "lower").file("d/changed", "lower").file("gone", "file")
                    .bytes());
            apply(Tar.builder().dir("d").file("d/changed", "upper").dir("gone").file("gone/inside", "x").bytes());

            assertThat(read(root.resolve("d/kept"))).as("a directory onto a directory keeps its content")
                    .isEqualTo("lower");
            assertThat(read(root.resolve("d/changed"))).isEqualTo("upper");
            assertThat(Files.isDirectory(root.resolve("gone"), NOFOLLOW)).as("a file replaced by a directory").isTrue();
            assertThat(read(root.resolve("gone/inside"))).isEqualTo("x");
        }

        @Test
        void apply_sameNameTwiceInOneLayer_theLastOneWins() throws IOException {
            apply(Tar.builder().file("f", "first").file("f", "second").bytes());

            assertThat(read(root.resolve("f"))).isEqualTo("second");
        }

        @Test
        void apply_hardLinkToAnEarlierFile_sharesItsContent() throws IOException {
            apply(Tar.builder().file("a", "shared").hardlink("b", "a").bytes());

            assertThat(read(root.resolve("b"))).isEqualTo("shared");
            assertThat(Files.isSameFile(root.resolve("a"), root.resolve("b"))).isTrue();
        }

        @Test
        void apply_rootEntry_leavesTheRootADirectory() throws IOException {
            apply(Tar.builder().dir("./").file("./f", "x").bytes());

            assertThat(Files.isDirectory(root, NOFOLLOW)).isTrue();
            assertThat(read(root.resolve("f"))).isEqualTo("x");
        }
    }

    @Nested
    class Confinement {
        @ParameterizedTest
        @ValueSource(strings = {"../victim/hello", "a/../../victim/hello", "./../victim/new", "/../victim/new",
            "../root/../victim/hello"})
        void apply_nameClimbingOut_breakout(String name) {
            assertKind(attempt(Tar.builder().file(name, "pwned").bytes()), Kind.BREAKOUT);
        }

        @Test
        void apply_absoluteName_confinedToTheRootOrRefused() throws IOException {
            String name = victim.toAbsolutePath().toString();

            Optional<ArchiveException> refusal = attempt(Tar.builder().file(name, "pwned").bytes());

            if (refusal.isEmpty()) {
                assertThat(read(root.resolve(name.substring(1)))).as("landed inside the root").isEqualTo("pwned");
            }
        }

        @Test
        void apply_fileThroughRelativeSymlinkOut_victimUntouched() {
            attempt(Tar.builder().symlink("esc", "../victim").file("esc/hello", "pwned").file("esc/new", "x")
                    .bytes());
        }

        @Test
        void apply_fileThroughAbsoluteSymlinkOut_victimUntouched() {
            attempt(Tar.builder().symlink("esc", victimDir.toAbsolutePath().toString()).file("esc/hello", "pwned")
                    .file("esc/new", "x").bytes());
        }

        @Test
        void apply_fileThroughSymlinkChain_victimUntouched() {
            attempt(Tar.builder().dir("d").symlink("d/up", "..").symlink("a", "b").symlink("b", "d/up/../victim")
                    .file("a/hello", "pwned").file("d/up/up/victim/new", "x").bytes());
        }

        @Test
        void apply_symlinkFromAnEarlierLayer_notFollowed() {
            apply(Tar.builder().symlink("esc", "../victim").symlink("f", "../victim/hello").bytes());

            attempt(Tar.builder().file("esc/hello", "pwned").bytes());
        }

        @Test
        void apply_fileOntoASymlinkOut_replacesTheLinkNotItsTarget() throws IOException {
            apply(Tar.builder().symlink("f", "../victim/hello").bytes());

            Optional<ArchiveException> refusal = attempt(Tar.builder().file("f", "mine").bytes());

            assertThat(refusal).isEmpty();
            assertThat(Files.isRegularFile(root.resolve("f"), NOFOLLOW)).isTrue();
            assertThat(read(root.resolve("f"))).isEqualTo("mine");
        }

        @ParameterizedTest
        @ValueSource(strings = {"../victim/hello", "a/../../victim/hello"})
        void apply_hardLinkOut_breakout(String target) {
            assertKind(attempt(Tar.builder().hardlink("h", target).bytes()), Kind.BREAKOUT);
        }

        @Test
        void apply_hardLinkToAbsoluteVictim_neverLinksTheVictim() throws IOException {
            Optional<ArchiveException> refusal = attempt(Tar.builder()
                    .hardlink("h", victim.toAbsolutePath().toString()).bytes());

            if (refusal.isEmpty()) {
                assertThat(Files.isSameFile(root.resolve("h"), victim)).isFalse();
            }
        }

        @Test
        void apply_hardLinkThroughSymlinkOut_neverLinksTheVictim() throws IOException {
            Optional<ArchiveException> refusal = attempt(Tar.builder().symlink("esc", "../victim")
                    .hardlink("h", "esc/hello").bytes());

            if (refusal.isEmpty() && Files.exists(root.resolve("h"), NOFOLLOW)) {
                assertThat(Files.isSameFile(root.resolve("h"), victim)).isFalse();
            }
        }

        @Test
        void apply_hardLinkToASymlinkOut_thenWrite_victimUntouched() {
            attempt(Tar.builder().symlink("s", "../victim/hello").hardlink("h", "s").file("h", "pwned").bytes());
        }

        @ParameterizedTest
        @ValueSource(strings = {"../victim/.wh.hello", "esc/.wh.hello", "esc/.wh..wh..opq", ".wh...", "d/.wh...",
            ".wh..", "/.wh...", "esc/.wh.."})
        void apply_whiteoutAimedOut_victimUntouched(String name) {
            attempt(Tar.builder().dir("d").symlink("esc", "../victim").file(name, "").bytes());

            assertThat(Files.isDirectory(root, NOFOLLOW)).as("the root itself is still there").isTrue();
        }

        @Test
        void apply_hostileEntryAfterGoodOnes_failsLeavingNothingOutside() {
            Optional<ArchiveException> refusal = attempt(Tar.builder().file("ok", "fine").dir("dir")
                    .file("../victim/hello", "pwned").file("after", "x").bytes());

            assertKind(refusal, Kind.BREAKOUT);
        }
    }

    @Nested
    class BadInput {
        @ParameterizedTest
        @ValueSource(strings = {"application/vnd.oci.image.layer.v1.tar+lz4", "text/plain",
            "application/vnd.oci.image.layer.v1.tar+gzip+encrypted"})
        void apply_unsupportedMediaType_unsupported(String mediaType) {
            assertKind(attempt(tree(), mediaType, RootfsLimits.defaults()), Kind.UNSUPPORTED);
        }

        @Test
        void apply_truncatedInsideData_malformed() {
            byte[] whole = Tar.builder().file("big", new byte[4000]).unterminated();

            assertKind(attempt(Arrays.copyOf(whole, 2048)), Kind.MALFORMED);
        }

        @Test
        void apply_truncatedGzip_malformed() {
            byte[] gz = Tar.gzip(Tar.builder().file("big", random(20_000)).bytes());

            assertKind(attempt(Arrays.copyOf(gz, gz.length / 2), MediaTypes.OCI_LAYER_GZIP, RootfsLimits.defaults()),
                    Kind.MALFORMED);
        }

        @Test
        void apply_headerWithWrongChecksum_malformed() {
            byte[] layer = tree();
            layer[0] ^= 1;

            assertKind(attempt(layer), Kind.MALFORMED);
        }

        @Test
        void apply_unknownEntryType_malformed() {
            assertKind(attempt(Tar.builder().entry("odd", (byte) 'Z', "", new byte[0]).bytes()), Kind.MALFORMED);
        }

        @Test
        void apply_plainBytesLabelledGzip_refused() {
            assertThatThrownBy(() -> apply(tree(), MediaTypes.OCI_LAYER_GZIP, RootfsLimits.defaults()))
                    .isInstanceOf(ArchiveException.class);
            assertVictimUntouched();
        }

        @Test
        void apply_garbage_refused() {
            assertThat(attempt(random(4096), MediaTypes.OCTET_STREAM, RootfsLimits.defaults())).isPresent();
        }
    }

    @Nested
    class Limits {
        @Test
        void apply_moreEntriesThanTheCap_limit() {
            assertKind(attempt(tree(), MediaTypes.OCI_LAYER_TAR, RootfsLimits.defaults().withMaxEntries(3)),
                    Kind.LIMIT);
        }

        @Test
        void apply_gzipBombPastTheUncompressedCap_limit() {
            byte[] bomb = Tar.gzip(Tar.builder().file("zeros", new byte[4 << 20]).bytes());

            assertKind(attempt(bomb, MediaTypes.OCI_LAYER_GZIP,
                    RootfsLimits.defaults().withMaxUncompressedBytes(64 * 1024)), Kind.LIMIT);
        }

        @Test
        void apply_pathDeeperThanTheCap_limit() {
            assertKind(attempt(Tar.builder().file("a/b/c/d/e/f", "x").bytes(), MediaTypes.OCI_LAYER_TAR,
                    RootfsLimits.defaults().withMaxPathDepth(4)), Kind.LIMIT);
        }

        @Test
        void apply_pathLongerThanTheCap_limit() {
            assertKind(attempt(Tar.builder().file("d/" + "x".repeat(40), "x").bytes(), MediaTypes.OCI_LAYER_TAR,
                    RootfsLimits.defaults().withMaxPathLength(32)), Kind.LIMIT);
        }

        @Test
        void apply_componentLongerThanTheCap_limit() {
            RootfsLimits limits = new RootfsLimits(1000, 1 << 20, 4096, 16, 256, 1 << 20, 4096, 1 << 20);

            assertKind(attempt(Tar.builder().file("x".repeat(20), "x").bytes(), MediaTypes.OCI_LAYER_TAR, limits),
                    Kind.LIMIT);
        }

        @Test
        void apply_linkTargetLongerThanTheCap_limit() {
            RootfsLimits limits = new RootfsLimits(1000, 1 << 20, 4096, 255, 256, 1 << 20, 16, 1 << 20);

            assertKind(attempt(Tar.builder().symlink("l", "/" + "t".repeat(40)).bytes(), MediaTypes.OCI_LAYER_TAR,
                    limits), Kind.LIMIT);
        }
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
