package dev.berth.archive;

import static dev.berth.archive.TarBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.ArchiveException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The applier on Jimfs: everything but ownership and special files (which need the real file system)
 * works there, with the same victim oracle, a sibling {@code /base/victim} and an absolute {@code /victim}.
 */
class TarRootfsApplierJimfsTest {
    FileSystem fs;
    Path dest;
    Path sibling;
    Path absolute;

    @BeforeEach
    void fileSystem() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build());
        dest = Files.createDirectories(fs.getPath("/base/dest"));
        sibling = Files.createDirectories(fs.getPath("/base/victim"));
        absolute = Files.createDirectories(fs.getPath("/victim"));
        Files.writeString(sibling.resolve("hello"), "hello");
        Files.writeString(absolute.resolve("hello"), "hello");
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    Optional<ArchiveException> attempt(byte[] layer) throws IOException {
        try {
            TarRootfsApplier.create().apply(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, dest);
            return Optional.empty();
        } catch (ArchiveException e) {
            return Optional.of(e);
        } finally {
            for (Path victim : new Path[] {sibling, absolute}) {
                try (Stream<Path> s = Files.list(victim)) {
                    assertThat(s.map(p -> p.getFileName().toString())).containsExactly("hello");
                }
                assertThat(Files.readString(victim.resolve("hello"))).isEqualTo("hello");
            }
            try (Stream<Path> s = Files.list(fs.getPath("/base"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("dest", "victim");
            }
        }
    }

    @Nested
    class Apply {
        @ParameterizedTest
        @ValueSource(strings = {"../victim/x", "/../victim/x", "a/../../victim/x"})
        void apply_nameClimbingOut_breakout(String name) throws IOException {
            assertThat(attempt(tar().file(name, "X").bytes())).hasValueSatisfying(
                    e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.BREAKOUT));
        }

        @Test
        void apply_symlinkChains_contained() throws IOException {
            attempt(tar().symlink("abs", "/victim").file("abs/x", "X").dir("inner").symlink("inner/go_up", "..")
                    .symlink("inner/go_up/escape", "../victim").file("inner/go_up/escape/newfile", "X")
                    .symlink("a", "b").symlink("b", "a").bytes());
            assertThat(Files.readString(dest.resolve("victim/x"))).isEqualTo("X");
        }

        @Test
        void apply_directorySymlinkFlip_finalContentInsideRoot() throws IOException {
            attempt(tar().dir("foo").dir("foo/tmp").file("foo/tmp/b", "A").symlink("foo", "/").file("foo/tmp/b", "B")
                    .dir("foo").file("foo/tmp/b", "C").bytes());
            assertThat(Files.readString(dest.resolve("foo/tmp/b"))).isEqualTo("C");
            assertThat(Files.readString(dest.resolve("tmp/b"))).isEqualTo("B");
        }

        @Test
        void apply_hardlinks_sharedInsideRootRefusedOutside() throws IOException {
            assertThat(attempt(tar().file("a", "1").hardlink("b", "/a").file("a", "2").bytes())).isEmpty();
            assertThat(Files.readString(dest.resolve("a"))).isEqualTo("2");
            assertThat(Files.readString(dest.resolve("b"))).isEqualTo("1");
            assertThat(attempt(tar().hardlink("grab", "../victim/hello").bytes())).isPresent();
        }

        @Test
        void apply_whiteoutsAndOpaque_lowerOnly() throws IOException {
            attempt(tar().file("gone", "g").dir("foo").file("foo/lower", "l").bytes());
            attempt(tar().file(".wh.gone", "").dir("foo").file("foo/upper", "u").file("foo/.wh..wh..opq", "")
                    .file("x", "x").file(".wh.x", "").bytes());
            assertThat(dest.resolve("gone")).doesNotExist();
            assertThat(dest.resolve("foo/lower")).doesNotExist();
            assertThat(dest.resolve("foo/upper")).exists();
            assertThat(dest.resolve("x")).exists();
        }

        @Test
        void apply_modesAndTimes_permissionBitsAndDirectoriesLast() throws IOException {
            attempt(tar().dir("ro", 0555).file("ro/f", "f".getBytes(), 0600).file("x", "x".getBytes(), 0751).bytes());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("ro"))))
                    .isEqualTo("r-xr-xr-x");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("x"))))
                    .isEqualTo("rwxr-x--x");
            assertThat(Files.getLastModifiedTime(dest.resolve("ro"))).isEqualTo(FileTime.fromMillis(1_600_000_000_000L));
        }
    }
}
