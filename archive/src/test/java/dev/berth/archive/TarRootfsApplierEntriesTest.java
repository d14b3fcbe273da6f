package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static dev.berth.rootfs.ArchiveException.Kind.LIMIT;
import static dev.berth.rootfs.ArchiveException.Kind.MALFORMED;
import static dev.berth.rootfs.ArchiveException.Kind.UNSUPPORTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsPolicy.SpecialFiles;
import dev.berth.rootfs.RootfsPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Entry types, metadata and duplicates: the catalog's TAR-41 to TAR-49, TAR-59 and TAR-60. */
class TarRootfsApplierEntriesTest extends ApplierTestBase {
    static final int S_IFMT = 0170000;

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
    }

    static RootfsPolicy policy(SpecialFiles specialFiles) {
        return RootfsPolicy.defaults().withSpecialFiles(specialFiles);
    }

    @Nested
    class Devices {
        @Test
        void apply_devicesAsRoot_created() throws IOException {
            // TAR-41: CI runs as root, so mknod really happens there
            assumeTrue(isRoot(), "creating device nodes needs root");
            attempt(tar().device("dev/sda", TarConstants.LF_BLK, 8, 0).device("dev/mem", TarConstants.LF_CHR, 1, 1)
                    .bytes(), policy(SpecialFiles.CREATE)).ifPresent(e -> {
                        throw e;
                    });
            assertThat(mode(dest("dev/sda")) & S_IFMT).isEqualTo(0060000);
            assertThat((Long) Files.getAttribute(dest("dev/sda"), "unix:rdev", NOFOLLOW)).isEqualTo(8L << 8);
            assertThat(mode(dest("dev/mem")) & S_IFMT).isEqualTo(0020000);
            assertThat(mode(dest("dev/mem")) & 07777).isEqualTo(0666);
        }

        @Test
        void apply_devicesWithSkipPolicy_skipped() {
            assertThat(attempt(tar().device("dev/sda", TarConstants.LF_BLK, 8, 0).bytes(), policy(SpecialFiles.SKIP)))
                    .isEmpty();
            assertThat(dest("dev/sda")).doesNotExist();
        }

        @Test
        void apply_devicesWithRejectPolicy_malformed() {
            assertKind(attempt(tar().device("dev/sda", TarConstants.LF_BLK, 8, 0).bytes(),
                    policy(SpecialFiles.REJECT)), MALFORMED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"major4096", "minor2^20", "major2^32", "minus1"})
        void apply_deviceNumberOutOfRange_malformedBeforeWriting(String variant) {
            // TAR-41: checked before anything is written, whatever the policy
            byte[] archive;
            switch (variant) {
                case "major4096" -> archive = tar().device("dev/x", TarConstants.LF_CHR, 4096, 0).bytes();
                case "minor2^20" -> archive = tar().device("dev/x", TarConstants.LF_CHR, 0, 1 << 20).bytes();
                case "major2^32" -> archive = TarBuilder.patchHeader(tar().device("dev/x", TarConstants.LF_CHR, 1, 1)
                        .bytes(), 0, 329, new byte[] {(byte) 0x80, 0, 0, 1, 0, 0, 0, 0});
                default -> archive = TarBuilder.patchHeader(tar().device("dev/x", TarConstants.LF_CHR, 1, 1).bytes(),
                        0, 337, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                            (byte) 0xff, (byte) 0xff, (byte) 0xff});
            }
            assertKind(attempt(archive, policy(SpecialFiles.SKIP)), MALFORMED);
            assertThat(dest("dev")).doesNotExist();
        }

        @Test
        void apply_fifoOverPasswd_createdAsFifo() throws IOException {
            // TAR-42: FIFOs need no privilege; later host-side reads must check the type (not here)
            attempt(tar().file("etc/passwd", "root").fifo("etc/passwd").fifo("etc/group").bytes(),
                    policy(SpecialFiles.CREATE)).ifPresent(e -> {
                        throw e;
                    });
            assertThat(mode(dest("etc/passwd")) & S_IFMT).isEqualTo(0010000);
            assertThat(mode(dest("etc/group")) & S_IFMT).isEqualTo(0010000);
        }

        @Test
        void apply_fifoWithSkipPolicy_skipped() {
            assertThat(attempt(tar().fifo("etc/passwd").bytes(), policy(SpecialFiles.SKIP))).isEmpty();
            assertThat(dest("etc/passwd")).doesNotExist();
        }
    }

    @Nested
    class Metadata {
        @Test
        void apply_setuidSetgidSticky_preserved() throws IOException {
            // TAR-43
            assumeTrue(isRoot(), "setgid on a file of a foreign group needs root");
            apply(tar().file("bin/su", "su".getBytes(), 04755).dir("tmp", 01777).file("bin/wall", "w".getBytes(), 02755)
                    .bytes());
            assertThat(mode(dest("bin/su")) & 07777).isEqualTo(04755);
            assertThat(mode(dest("tmp")) & 07777).isEqualTo(01777);
            assertThat(mode(dest("bin/wall")) & 07777).isEqualTo(02755);
        }

        @Test
        void apply_numericOwners_appliedAsRootNamesIgnored() throws IOException {
            // TAR-44: uname "root" with uid 1000 -> 1000
            assumeTrue(isRoot(), "lchown needs root");
            apply(tar().entry("f", TarConstants.LF_NORMAL, e -> {
                e.setUserId(1000);
                e.setGroupId(1001);
                e.setUserName("root");
                e.setGroupName("root");
            }, new byte[0]).symlink("l", "/nonexistent").bytes());
            assertThat(Files.getAttribute(dest("f"), "unix:uid", NOFOLLOW)).isEqualTo(1000);
            assertThat(Files.getAttribute(dest("f"), "unix:gid", NOFOLLOW)).isEqualTo(1001);
        }

        @Test
        void apply_ownersThatOnlyLookRight_stillSet() throws IOException {
            // The applier skips lchown and chmod when a fresh node already has the value; a file made in a
            // setgid directory takes that directory's group, not the process's, and must still be changed.
            assumeTrue(isRoot(), "lchown needs root");
            Files.setAttribute(v.dest, "unix:gid", 1001, NOFOLLOW);
            Files.setAttribute(v.dest, "unix:mode", 02755, NOFOLLOW);
            apply(tar().entry("f", TarConstants.LF_NORMAL, e -> {
                e.setUserId(0);
                e.setGroupId(0);
                e.setMode(0100644);
            }, new byte[0]).entry("g", TarConstants.LF_NORMAL, e -> {
                e.setUserId(0);
                e.setGroupId(1002);
                e.setMode(0100600);
            }, new byte[0]).bytes());
            assertThat(Files.getAttribute(dest("f"), "unix:gid", NOFOLLOW)).isEqualTo(0);
            assertThat(Files.getAttribute(dest("f"), "unix:uid", NOFOLLOW)).isEqualTo(0);
            assertThat(mode(dest("f")) & 07777).isEqualTo(0644);
            assertThat(Files.getAttribute(dest("g"), "unix:gid", NOFOLLOW)).isEqualTo(1002);
            assertThat(mode(dest("g")) & 07777).isEqualTo(0600);
        }

        @ParameterizedTest
        @ValueSource(longs = {2147483648L, 4294967295L})
        void apply_ownerOutOfRange_malformed(long uid) {
            // TAR-44
            assertKind(attempt(tar().entry("f", TarConstants.LF_NORMAL, e -> e.setUserId(uid), new byte[0]).bytes()),
                    MALFORMED);
        }

        @Test
        void apply_ownershipIgnored_ownedByProcess() throws IOException {
            apply(tar().entry("f", TarConstants.LF_NORMAL, e -> e.setUserId(4242), new byte[0]).bytes(),
                    RootfsPolicy.defaults().withOwnership(RootfsPolicy.Ownership.IGNORE));
            assertThat(Files.getAttribute(dest("f"), "unix:uid", NOFOLLOW))
                    .isEqualTo(Files.getAttribute(v.dest, "unix:uid", NOFOLLOW));
        }

        @Test
        void apply_xattrs_onlyUserNamespaceApplied() throws IOException {
            // TAR-45: allowlist user.*, drop security/trusted/system
            UserDefinedFileAttributeView probe = Files.getFileAttributeView(v.dest, UserDefinedFileAttributeView.class);
            apply(tar().pax("SCHILY.xattr.user.color", "blue", "SCHILY.xattr.security.capability", "x",
                    "SCHILY.xattr.trusted.overlay.opaque", "y", "SCHILY.xattr.system.posix_acl_access", "z",
                    "SCHILY.xattr.nonamespace", "w").file("f", "f").bytes(), RootfsPolicy.defaults().withXattrs(true));
            UserDefinedFileAttributeView view = Files.getFileAttributeView(dest("f"), UserDefinedFileAttributeView.class);
            boolean supported;
            try {
                supported = probe != null && view.list() != null;
            } catch (IOException e) {
                supported = false;
            }
            assumeTrue(supported, "user xattrs are not supported here");
            assertThat(view.list()).containsExactly("color");
            ByteBuffer value = ByteBuffer.allocate(16);
            view.read("color", value);
            assertThat(new String(value.array(), 0, value.position())).isEqualTo("blue");
        }

        @Test
        void apply_hugeXattrValue_limit() {
            // TAR-45
            assertKind(attempt(tar().pax("SCHILY.xattr.user.big", "v".repeat(100 * 1024)).file("f", "f").bytes(),
                    RootfsPolicy.defaults().withXattrs(true)), LIMIT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"9e9999999", "1.bigfraction", "-100000000000", "99999999999999"})
        void apply_hostileMtime_boundedTimeAndClamped(String mtime) {
            // TAR-46
            String value = mtime.equals("1.bigfraction") ? "1." + "1".repeat(300_000) : mtime;
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                Optional<ArchiveException> result = attempt(tar().pax("mtime", value).file("f", "f").bytes());
                if (result.isPresent()) {
                    assertThat(result.get().kind()).isIn(MALFORMED, LIMIT);
                } else {
                    Instant t = ((FileTime) Files.getAttribute(dest("f"), "lastModifiedTime", NOFOLLOW)).toInstant();
                    assertThat(t).isBetween(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"));
                }
            });
        }

        @Test
        void apply_globalPaxHeader_ignoredNoDirectories() {
            // TAR-47
            assertThat(attempt(tar().entry("a/b/c", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER,
                    e -> e.addPaxHeader("comment", "global"), null).file("f", "f").bytes())).isEmpty();
            assertThat(dest("a")).doesNotExist();
            assertThat(dest("f")).exists();
        }

        @ParameterizedTest
        @ValueSource(chars = {'V', 'M', 'N', 'Z', 'A'})
        void apply_unknownTypeFlag_malformed(char flag) {
            // TAR-48
            assertKind(attempt(tar().entry("x", (byte) flag, e -> e.setSize(0), new byte[0]).bytes()), MALFORMED);
            assertThat(dest("x")).doesNotExist();
        }

        @Test
        void apply_contiguousFile_treatedAsRegular() throws IOException {
            // TAR-48: '7' is deliberately a regular file
            apply(tar().entry("x", TarConstants.LF_CONTIG, e -> e.setSize(2), "77".getBytes()).bytes());
            assertThat(read(dest("x"))).isEqualTo("77");
        }

        @Test
        void apply_oldGnuSparse_malformed() {
            // TAR-49: sparse files are refused, never allocated to their declared size
            byte[] archive = tar().entry("s", TarConstants.LF_GNUTYPE_SPARSE, e -> e.setSize(0), new byte[0]).bytes();
            // real size 1 TiB in the old GNU header (offset 483, 12 bytes octal)
            archive = TarBuilder.patchHeader(archive, 0, 483, "17777777777\0".getBytes());
            assertKind(attempt(archive), MALFORMED);
            assertThat(dest("s")).doesNotExist();
        }

        @Test
        void apply_paxSparse_malformed() {
            // TAR-49: PAX 1.0 sparse with a declared real size of 1 TiB
            byte[] map = ("1\n0\n512\n" + "\0".repeat(504)).getBytes();
            assertKind(attempt(tar().pax("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "s",
                    "GNU.sparse.realsize", "1099511627776").file("GNUSparseFile.0/s", map, 0644).bytes()), MALFORMED);
            assertThat(dest("s")).doesNotExist();
        }
    }

    @Nested
    class Duplicates {
        @Test
        void apply_sameFileTwice_lastWins() throws IOException {
            // TAR-59 (1)
            apply(tar().file("a", "first").file("a", "second").bytes());
            assertThat(read(dest("a"))).isEqualTo("second");
        }

        @Test
        void apply_directoryThenFile_replaced() throws IOException {
            // TAR-59 (2)
            apply(tar().dir("a").file("a/child", "c").file("a", "file").bytes());
            assertThat(read(dest("a"))).isEqualTo("file");
        }

        @Test
        void apply_fileThenChildOfIt_malformed() {
            // TAR-59 (3): Berth fails like containerd (ENOTDIR) rather than replace the file like umoci
            assertKind(attempt(tar().file("nondir", "f").file("nondir/foo/bar/baz", "b").bytes()), MALFORMED);
        }

        @Test
        void apply_rootEntryAsSymlink_malformed() {
            // TAR-60
            assertKind(attempt(tar().symlink(".", "/").bytes()), MALFORMED);
            assertKind(attempt(tar().symlink("./", "/").bytes()), MALFORMED);
            assertThat(Files.isSymbolicLink(v.dest)).isFalse();
        }

        @Test
        void apply_rootEntryAsWorldWritableDirectory_rootUnchanged() throws IOException {
            // TAR-60
            int before = mode(v.dest);
            Object owner = Files.getAttribute(v.dest, "unix:uid", NOFOLLOW);
            apply(tar().entry("./", TarConstants.LF_DIR, e -> {
                e.setMode(0777);
                e.setUserId(65534);
            }, null).file("f", "f").bytes());
            assertThat(mode(v.dest)).isEqualTo(before);
            assertThat(Files.getAttribute(v.dest, "unix:uid", NOFOLLOW)).isEqualTo(owner);
        }
    }

    @Nested
    class SpecialFilesElsewhere {
        @Test
        void apply_fifoOnJimfsWithCreatePolicy_unsupported() throws IOException {
            try (var fs = com.google.common.jimfs.Jimfs.newFileSystem(com.google.common.jimfs.Configuration.unix())) {
                Path root = Files.createDirectories(fs.getPath("/root"));
                Optional<ArchiveException> result;
                try {
                    TarRootfsApplier.create(policy(SpecialFiles.CREATE)).apply(
                            new java.io.ByteArrayInputStream(tar().fifo("p").bytes()), "application/octet-stream", root);
                    result = Optional.empty();
                } catch (ArchiveException e) {
                    result = Optional.of(e);
                }
                assertKind(result, UNSUPPORTED);
            }
        }
    }
}
