package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static dev.berth.rootfs.ArchiveException.Kind.BREAKOUT;
import static dev.berth.rootfs.ArchiveException.Kind.LIMIT;
import static dev.berth.rootfs.ArchiveException.Kind.MALFORMED;
import static dev.berth.rootfs.ArchiveException.Kind.UNSUPPORTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.RootfsPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attack catalog's TAR cases against {@link TarRootfsApplier}, each under the victim oracle:
 * whatever the outcome, a sibling {@code victim/} and an absolute-path victim stay identical.
 */
class TarRootfsApplierTest extends ApplierTestBase {
    @Nested
    class Names {
        @ParameterizedTest
        @ValueSource(strings = {"../victim/dotdot", "../../pwned", "..", "/../victim/slash-dotdot", "a/../../b"})
        void apply_nameClimbingOut_breakout(String name) {
            // TAR-01, TAR-02 (first half), TAR-03 (first half)
            assertKind(attempt(tar().file(name, "X").bytes()), BREAKOUT);
        }

        @Test
        void apply_absoluteName_landsInsideRoot() throws IOException {
            // TAR-02: an absolute name is taken relative to the root
            attempt(tar().file("/" + v.absoluteRelative() + "/hello", "X").bytes()).ifPresent(e -> {
                throw e;
            });
            assertThat(read(dest(v.absoluteRelative() + "/hello"))).isEqualTo("X");
        }

        @Test
        void apply_dotDotInsideName_cleansWithinRoot() throws IOException {
            // TAR-03 (second half)
            apply(tar().file("a/b/../c", "c").bytes());
            assertThat(read(dest("a/c"))).isEqualTo("c");
            assertThat(dest("a/b")).doesNotExist();
        }

        @ParameterizedTest
        @ValueSource(strings = {"..gitme", "...", "foo..bar", ".wh", "..\\..\\x", "C:\\tmp\\evil", "\\tmp\\evil"})
        void apply_nameThatOnlyLooksDangerous_accepted(String name) throws IOException {
            // TAR-04 (no false positive), TAR-08 (backslashes are literal on Linux)
            attempt(tar().file(name, "ok").bytes()).ifPresent(e -> {
                throw e;
            });
            assertThat(read(dest(name))).isEqualTo("ok");
        }

        @Test
        void apply_paxPathClimbingOut_breakout() {
            // TAR-05: the effective name after the PAX header is what counts
            assertKind(attempt(tar().pax("path", "../../x").file("safe", "X").bytes()), BREAKOUT);
            assertThat(dest("safe")).doesNotExist();
        }

        @Test
        void apply_gnuLongNameClimbingOut_breakout() {
            // TAR-05 with a GNU 'L' record
            assertKind(attempt(tar().gnuLongName("../victim/gnu").file("safe", "X").bytes()), BREAKOUT);
        }

        @Test
        void apply_paxLinkpathClimbingOut_breakout() {
            // TAR-05 with PAX linkpath on a hard link
            assertKind(attempt(tar().file("a", "a").pax("linkpath", "../victim/hello").hardlink("safe", "a").bytes()),
                    BREAKOUT);
            assertThat(dest("safe")).doesNotExist();
        }

        @Test
        void apply_paxPathWithNul_malformed() {
            // TAR-06
            assertKind(attempt(tar().pax("path", "a\0b").file("safe", "X").bytes()), MALFORMED);
        }

        @Test
        void apply_invalidUtf8Name_malformed() {
            // TAR-06: bytes that do not decode must not be guessed into a name
            byte[] archive = tar().file("abcdef", "X").bytes();
            byte[] patched = TarBuilder.patchHeader(archive, 0, 0, new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'd'});
            assertKind(attempt(patched), MALFORMED);
        }

        @Test
        void apply_longComponent_limit() {
            // TAR-07
            assertKind(attempt(tar().file("x".repeat(300), "X").bytes()), LIMIT);
        }

        @Test
        void apply_longPath_limit() {
            // TAR-07
            assertKind(attempt(tar().file("abcdefghij/".repeat(500) + "f", "X").bytes()), LIMIT);
        }

        @Test
        void apply_deepPath_limitWithoutStackOverflow() throws IOException {
            // TAR-07: 5000 components
            assertKind(attempt(tar().file("a/".repeat(5000) + "f", "X").bytes()), LIMIT);
            // and with the caps raised, the iterative code copes with the depth the file system allows
            RootfsLimits raised = RootfsLimits.defaults().withMaxPathDepth(10_000).withMaxPathLength(20_000);
            Optional<ArchiveException> result =
                    attempt(tar().file("a/".repeat(1000) + "f", "X").bytes(), RootfsPolicy.defaults().withLimits(raised));
            result.ifPresent(e -> assertThat(e.kind()).isIn(LIMIT, MALFORMED));
            deleteDeepTree(dest("a"));
        }

        /** JUnit's own temp-dir cleanup is quadratic in depth (a realpath per directory). */
        private void deleteDeepTree(Path top) throws IOException {
            if (!Files.exists(top, NOFOLLOW)) {
                return;
            }
            Files.walkFileTree(top, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        }
    }

    @Nested
    class Symlinks {
        @Test
        void apply_fileThroughAbsoluteSymlink_containedInRoot() throws IOException {
            // TAR-09 (absolute victim instead of /etc)
            byte[] layer = tar().dir(v.absoluteRelative()).symlink("localetc", v.absolute.toString())
                    .file("/localetc/unbroken", "X").bytes();
            assertThat(attempt(layer)).isEmpty();
            assertThat(read(dest(v.absoluteRelative() + "/unbroken"))).isEqualTo("X");
        }

        @ParameterizedTest
        @ValueSource(strings = {"upAndOut", "multipleAbsolute", "multipleRelative"})
        void apply_chainedSymlinks_contained(String variant) {
            // TAR-10
            String abs = v.absolute.toString();
            TarBuilder t = tar();
            switch (variant) {
                case "upAndOut" -> t.symlink("localetc", "/dummy/../" + abs);
                case "multipleAbsolute" -> t.dir("dummy").symlink("dummy/etc", abs).symlink("localetc", "/dummy/etc");
                default -> t.dir("dummy").symlink("dummy/etc", abs).symlink("localetc", "./dummy/etc");
            }
            t.file("localetc/hello", "PWNED").file("localetc/new", "PWNED");
            attempt(t.bytes());
        }

        @Test
        void apply_fileThroughRelativeSymlinkToSibling_contained() {
            // TAR-11
            attempt(tar().symlink("loophole", "../victim").file("loophole/file", "X").bytes());
            attempt(tar().dir("dir").symlink("dir/loophole", "../../victim").file("dir/loophole/newdir/newfile", "X")
                    .bytes());
        }

        @Test
        void apply_twoHopSymlinkChain_neverReachesVictim() {
            // TAR-12
            attempt(tar().dir("inner").symlink("inner/go_up", "..").symlink("inner/go_up/escape", "../victim")
                    .file("inner/go_up/escape/newfile", "X").bytes());
            assertThat(v.sibling.resolve("newfile")).doesNotExist();
        }

        @Test
        void apply_relativeEscapeBeforeAbsoluteSymlink_contained() throws IOException {
            // TAR-13: pre-existing links in the root
            Files.createSymbolicLink(dest("escape"), Path.of(".."));
            Files.createSymbolicLink(dest("absolute"), Path.of("/target"));
            attempt(tar().file("escape/absolute/file", "X").bytes());
            assertThat(v.base.resolve("target")).doesNotExist();
        }

        @Test
        void apply_impliedDirectoriesThroughLowerSymlinks_accepted() throws IOException {
            // TAR-14: must not be over-blocked
            apply(tar().dir("usr").dir("usr/lib").symlink("lib", "usr/lib").bytes());
            apply(tar().file("lib/systemd/system/x", "x").bytes());
            assertThat(read(dest("usr/lib/systemd/system/x"))).isEqualTo("x");
            Files.createDirectories(dest("var"));
            Files.createSymbolicLink(dest("var/run"), Path.of("/run"));
            Files.createDirectories(dest("run/existing"));
            apply(tar().file("var/run/existing/non-existing/file", "f").bytes());
            assertThat(read(dest("run/existing/non-existing/file"))).isEqualTo("f");
        }

        @Test
        void apply_directorySymlinkFlipInOneLayer_neverWritesOutside() throws IOException {
            // TAR-15 (unique name under the host's /tmp so a failure is visible and harmless)
            String file = "foo/tmp/" + UUID.randomUUID() + "-breakout";
            Path host = Path.of("/tmp").resolve(Path.of(file).getFileName());
            byte[] layer = tar().dir("foo").dir("foo/tmp").file(file, "A").symlink("foo", "/").file(file, "B")
                    .dir("foo").file(file, "C").bytes();
            try {
                attempt(layer);
                assertThat(host).doesNotExist();
                assertThat(read(dest(file))).isEqualTo("C");
            } finally {
                Files.deleteIfExists(host);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"..", "", "localetc/sub/..", "localetc/", "."})
        void apply_symlinkWithParentOrEmptyName_neverReplacesRoot(String name) {
            // TAR-16
            Optional<ArchiveException> result = attempt(tar().dir("localetc").symlink(name, "/").bytes());
            result.ifPresent(e -> assertThat(e.kind()).isIn(BREAKOUT, MALFORMED));
            assertThat(v.dest).isDirectory();
            assertThat(Files.isSymbolicLink(v.dest)).isFalse();
        }

        @Test
        void apply_symlinkLoop_malformedInBoundedTime() {
            // TAR-17
            assertKind(attempt(tar().symlink("a", "b").symlink("b", "a").file("a/x", "X").bytes()), MALFORMED);
        }

        @Test
        void apply_selfSymlink_malformed() {
            // TAR-17
            assertKind(attempt(tar().symlink("foo", "foo").file("foo/x", "X").bytes()), MALFORMED);
        }

        @Test
        void apply_hugeSymlinkTarget_limit() {
            // TAR-18
            assertKind(attempt(tar().symlink("l", "t".repeat(5000)).bytes()), LIMIT);
        }

        @Test
        void apply_symlinkTargetWithNul_malformed() {
            // TAR-18
            assertKind(attempt(tar().pax("linkpath", "a\0b").symlink("l", "x").bytes()), MALFORMED);
        }

        @Test
        void apply_hardlinkToSymlinkToHostFile_neverChmodsHost() throws IOException {
            // TAR-19: the absolute victim's hello plays the host file P
            String p = v.absolute.resolve("hello").toString();
            attempt(tar().symlink("EP", p).hardlink("sketchylink", "EP").symlink("other", p).bytes());
            assertThat(Files.isSymbolicLink(dest("sketchylink"))).isTrue();
        }

        @Test
        void apply_fileOverLowerSymlink_replacesLink() throws IOException {
            // TAR-20: a symlink in the way is replaced, never written through
            String target = v.absolute.resolve("hello").toString();
            apply(tar().symlink("x", target).bytes());
            attempt(tar().file("x", "new").bytes());
            assertThat(Files.isSymbolicLink(dest("x"))).isFalse();
            assertThat(read(dest("x"))).isEqualTo("new");
        }

        @Test
        void apply_fileThroughLowerSymlinkToEtc_emptiedInsideRoot() throws IOException {
            // TAR-20: SymlinkEmptyFile, DirectoryOverrideSymlinkAndHardlink
            Files.createDirectories(dest("etc"));
            Files.writeString(dest("etc/emptied"), "full");
            Files.writeString(dest("etc/passwd"), "root:x:0:0");
            apply(tar().symlink("localetc", "/etc").bytes());
            apply(tar().file("/localetc/emptied", "").hardlink("localetc/localpasswd", "/etc/passwd").bytes());
            assertThat(read(dest("etc/emptied"))).isEmpty();
            assertThat(inode(dest("etc/localpasswd"))).isEqualTo(inode(dest("etc/passwd")));
            assertThat(inode(dest("etc/localpasswd"))).isNotEqualTo(inode(Path.of("/etc/passwd")));
        }
    }

    @Nested
    class Hardlinks {
        @ParameterizedTest
        @ValueSource(strings = {"../victim/hello", "/../victim/hello", "../../../../../etc/passwd"})
        void apply_hardlinkClimbingOut_breakout(String target) {
            // TAR-21, TAR-24
            assertKind(attempt(tar().hardlink("dotdot", target).bytes()), BREAKOUT);
            assertThat(dest("dotdot")).doesNotExist();
        }

        @Test
        void apply_absoluteHardlink_sameInodeInsideRoot() throws IOException {
            // TAR-22
            apply(tar().file("usr/bin/perlbug", "perl").hardlink("usr/bin/perlthanks", "/usr/bin/perlbug").bytes());
            assertThat(inode(dest("usr/bin/perlthanks"))).isEqualTo(inode(dest("usr/bin/perlbug")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"../../etc", "../downandout/../../etc", "upandout/../../../etc", "/etc"})
        void apply_hardlinkThroughSymlink_linksInsideRootOnly(String symlinkTarget) throws IOException {
            // TAR-23
            byte[] layer = tar().file("etc/passwd", "inner").dir("breakouts").symlink("breakouts/d1", symlinkTarget)
                    .hardlink("breakouts/mypasswd", "/breakouts/d1/passwd").bytes();
            attempt(layer).ifPresent(e -> {
                throw e;
            });
            assertThat(inode(dest("breakouts/mypasswd"))).isEqualTo(inode(dest("etc/passwd")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"file", "symlink", "hardlink", "replace"})
        void apply_hardlinkToOutsideDirectory_refusedVictimIntact(String followUp) {
            // TAR-24
            TarBuilder t = tar().hardlink("loophole-victim", "../victim");
            switch (followUp) {
                case "file" -> t.file("loophole-victim/file", "X");
                case "symlink" -> t.symlink("symlink", "loophole-victim/hello");
                case "hardlink" -> t.hardlink("hardlink", "loophole-victim/hello");
                default -> t.file("loophole-victim", "X");
            }
            assertThat(attempt(t.bytes()).map(ArchiveException::kind)).hasValueSatisfying(
                    k -> assertThat(k).isIn(BREAKOUT, MALFORMED));
        }

        @Test
        void apply_hardlinkToSymlink_sharesSymlinkInode() throws IOException {
            // TAR-25
            String hostFile = v.absolute.resolve("hello").toString();
            apply(tar().symlink("symlink1", "regfile").hardlink("symlink2", "symlink1").file("regfile", "r")
                    .symlink("passwdlink", hostFile).hardlink("h", "passwdlink").bytes());
            assertThat(Files.isSymbolicLink(dest("symlink2"))).isTrue();
            assertThat(inode(dest("symlink2"))).isEqualTo(inode(dest("symlink1")));
            assertThat(Files.isSymbolicLink(dest("h"))).isTrue();
            assertThat(inode(dest("h"))).isNotEqualTo(inode(v.absolute.resolve("hello")));
            v.assertUntouched();
        }

        @Test
        void apply_hardlinkToLaterEntry_malformedNothingCreated() {
            // TAR-26
            assertKind(attempt(tar().hardlink("early", "late").file("late", "l").bytes()), MALFORMED);
            assertThat(dest("early")).doesNotExist();
            assertThat(dest("late")).doesNotExist();
        }

        @Test
        void apply_hardlinkReplacingItsOwnSource_malformed() {
            assertKind(attempt(tar().dir("a").file("a/b", "b").hardlink("a", "a/b").bytes()), MALFORMED);
        }

        @Test
        void apply_hardlinkToSiblingWithCommonPrefix_refused() throws IOException {
            // TAR-27: dest-evil shares the prefix "dest"
            Path root = Files.createDirectories(tmp.resolve("prefix/dest"));
            Files.setAttribute(root, "unix:mode", 0700);
            Path secret = Files.createDirectories(tmp.resolve("prefix/dest-evil")).resolve("secret");
            Files.writeString(secret, "s");
            assertThatThrownBy(() -> TarRootfsApplier.create().apply(
                    new ByteArrayInputStream(tar().hardlink("grab", "../dest-evil/secret").bytes()),
                    MediaTypes.OCI_LAYER_TAR, root))
                    .isInstanceOfSatisfying(ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(BREAKOUT));
            assertThat(root.resolve("grab")).doesNotExist();
            assertThat(read(secret)).isEqualTo("s");
        }

        @Test
        void apply_rootWritableByOthers_refusedBeforeReading() throws IOException {
            // TAR-63: resolution is check-then-use, sound only in a private root; a racer needs write access
            Files.setAttribute(v.dest, "unix:mode", 0777);
            boolean[] read = {false};
            java.io.InputStream layer = new ByteArrayInputStream(tar().file("f", "f").bytes()) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    read[0] = true;
                    return super.read(b, off, len);
                }
            };
            assertThatThrownBy(() -> TarRootfsApplier.create().apply(layer, MediaTypes.OCI_LAYER_TAR, v.dest))
                    .isInstanceOf(dev.berth.exception.SystemException.class).hasMessageContaining("writable by other users");
            assertThat(read[0]).isFalse();
            assertThat(dest("f")).doesNotExist();
        }

        @Test
        void apply_fileReplacingHardlinkedFile_unlinksNotTruncates() throws IOException {
            // TAR-28
            apply(tar().file("a", "1").hardlink("b", "a").file("a", "2").bytes());
            assertThat(read(dest("a"))).isEqualTo("2");
            assertThat(read(dest("b"))).isEqualTo("1");
        }
    }

    @Nested
    class Whiteouts {
        @ParameterizedTest
        @ValueSource(strings = {".wh.", "dir/.wh.", ".wh..", "etc/.wh..", ".wh...", "etc/.wh..."})
        void apply_invalidWhiteout_malformed(String name) throws IOException {
            // TAR-29, TAR-30
            Files.createDirectories(dest("etc"));
            Files.writeString(dest("etc/passwd"), "p");
            assertKind(attempt(tar().file(name, "").bytes()), MALFORMED);
            assertThat(read(dest("etc/passwd"))).isEqualTo("p");
        }

        @Test
        void apply_whiteoutOfSymlink_removesOnlyTheLink() throws IOException {
            // TAR-31
            Files.createDirectories(dest("etc"));
            Files.writeString(dest("etc/passwd"), "p");
            Files.createSymbolicLink(dest("localetc"), Path.of("/etc"));
            apply(tar().file(".wh.localetc", "").bytes());
            assertThat(dest("localetc")).doesNotExist();
            assertThat(read(dest("etc/passwd"))).isEqualTo("p");
        }

        @Test
        void apply_whiteoutThroughSymlinkParent_resolvedInsideRoot() throws IOException {
            // TAR-32
            Files.createDirectories(dest("etc"));
            Files.writeString(dest("etc/whitedout"), "w");
            Files.createSymbolicLink(dest("localetc"), Path.of("/etc"));
            apply(tar().file("localetc/.wh.whitedout", "").bytes());
            assertThat(dest("etc/whitedout")).doesNotExist();
        }

        @Test
        void apply_whiteoutThroughDeadSymlink_noOp() throws IOException {
            // TAR-32
            Files.createSymbolicLink(dest("localetc"), Path.of("/dne"));
            apply(tar().file("localetc/.wh.whitedout", "").bytes());
            assertThat(Files.isSymbolicLink(dest("localetc"))).isTrue();
        }

        @Test
        void apply_whiteoutWithDotDot_normalizedFirst() throws IOException {
            // TAR-33
            Files.createDirectories(dest("etc"));
            apply(tar().file("dne/../.wh.etc", "").bytes());
            assertThat(dest("etc")).doesNotExist();
            assertThat(dest("dne")).doesNotExist();
        }

        @Test
        void apply_whiteoutPrefixOnDirectory_malformed() {
            // TAR-34: Berth refuses rather than materialise
            assertKind(attempt(tar().file(".wh.etc/somefile", "").bytes()), MALFORMED);
        }

        @Test
        void apply_opaqueAfterOwnEntries_keepsThemRemovesLower() throws IOException {
            // TAR-35
            Files.createDirectories(dest("foo/b"));
            Files.writeString(dest("foo/a"), "lower");
            Files.writeString(dest("foo/b/c"), "lower");
            Files.createDirectories(dest("foo/cde"));
            Files.writeString(dest("foo/cde/lower"), "lower");
            Files.writeString(dest("baz"), "lower");
            apply(tar().file(".bay", "").file(".wh.baz", "").dir("foo").file("foo/.bce", "")
                    .file("foo/.wh..wh..opq", "").dir("foo/cde").file("foo/cde/efg", "").bytes());
            assertThat(dest(".bay")).exists();
            assertThat(dest("baz")).doesNotExist();
            try (var s = Files.list(dest("foo"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".bce", "cde");
            }
            try (var s = Files.list(dest("foo/cde"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("efg");
            }
            assertThat(dest("foo/.wh..wh..opq")).doesNotExist();
        }

        @Test
        void apply_whiteoutOfOwnEntry_kept() throws IOException {
            // TAR-36
            apply(tar().file("x", "x").file(".wh.x", "").bytes());
            assertThat(read(dest("x"))).isEqualTo("x");
        }

        @Test
        void apply_opaqueThroughSymlinkToRoot_confined() throws IOException {
            // TAR-37: the opaque marker resolves to the root itself; only the root's lower content may go
            Files.createSymbolicLink(dest("foo"), Path.of("/"));
            attempt(tar().file("foo/.wh..wh..opq", "").bytes());
        }

        @Test
        void apply_aufsMetadata_skippedAndLinksIntoItRefused() {
            // TAR-38
            assertThat(attempt(tar().file(".wh..wh.aufs", "").file(".wh..wh.plnk/123.456", "p").bytes())).isEmpty();
            assertThat(dest(".wh..wh.aufs")).doesNotExist();
            assertThat(dest(".wh..wh.plnk")).doesNotExist();
            assertKind(attempt(tar().hardlink("x", ".wh..wh.plnk/123.456").bytes()), MALFORMED);
        }

        @Test
        void apply_whiteoutOfAnyType_neverCreated() throws IOException {
            // TAR-39
            Files.writeString(dest("x"), "lower");
            apply(tar().symlink(".wh.x", "/").dir(".wh.y").bytes());
            assertThat(dest("x")).doesNotExist();
            assertThat(dest(".wh.x")).doesNotExist();
            assertThat(dest(".wh.y")).doesNotExist();
        }

        @Test
        void apply_whiteoutBelowFile_noOp() throws IOException {
            // TAR-40
            Files.writeString(dest("file"), "f");
            assertThat(attempt(tar().file("file/.wh.x", "").bytes())).isEmpty();
            assertThat(read(dest("file"))).isEqualTo("f");
        }

        @Test
        void apply_twoLayersInOrder_upperWhiteoutRemovesLowerFile() throws IOException {
            // TAR-61: layers applied strictly one after the other
            apply(tar().file("a", "a").file("b", "b").bytes());
            apply(tar().file(".wh.a", "").bytes());
            assertThat(dest("a")).doesNotExist();
            assertThat(dest("b")).exists();
        }
    }
}
