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
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The applier on the file systems IDE users have: macOS's and Windows's defaults fold case, so {@code Lib}
 * and {@code lib} are one entry, and Windows refuses some names outright. Jimfs models both. Whatever the
 * layer, nothing outside the root changes (victims: a sibling of the root and {@code <root of fs>/etc}), and
 * a name the file system cannot hold is an {@link ArchiveException}, never another exception.
 */
class TarRootfsApplierFoldingFileSystemsTest {
    /** The two folding configurations, each with the views a real one of its kind has. */
    enum Kind {
        MACOS(Configuration.osX().toBuilder().setAttributeViews("basic", "owner", "posix").build()),
        WINDOWS(Configuration.windows().toBuilder().setAttributeViews("basic", "owner", "dos").build());

        final Configuration configuration;

        Kind(Configuration configuration) {
            this.configuration = configuration;
        }
    }

    FileSystem fs;
    Path dest;
    Path sibling;
    Path etc;

    void open(Kind kind) throws IOException {
        fs = Jimfs.newFileSystem(kind.configuration);
        Path top = fs.getRootDirectories().iterator().next();
        dest = Files.createDirectories(top.resolve("base").resolve("dest"));
        sibling = Files.createDirectories(top.resolve("base").resolve("victim"));
        etc = Files.createDirectories(top.resolve("etc"));
        Files.writeString(sibling.resolve("hello"), "hello");
        Files.writeString(etc.resolve("passwd"), "hello");
    }

    @AfterEach
    void close() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    Optional<ArchiveException> attempt(byte[] layer) throws IOException {
        try {
            TarRootfsApplier.create().apply(new ByteArrayInputStream(layer), MediaTypes.OCI_LAYER_TAR, dest);
            return Optional.empty();
        } catch (ArchiveException e) {
            assertThat(e.getMessage()).isNotBlank();
            return Optional.of(e);
        } finally {
            for (Path victim : new Path[] {sibling, etc}) {
                try (Stream<Path> s = Files.list(victim)) {
                    assertThat(s.map(p -> p.getFileName().toString())).hasSize(1);
                }
                try (Stream<Path> s = Files.list(victim)) {
                    assertThat(Files.readString(s.findFirst().orElseThrow())).isEqualTo("hello");
                }
            }
            try (Stream<Path> s = Files.list(dest.getParent())) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("dest", "victim");
            }
        }
    }

    @Nested
    class CaseFolding {
        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_symlinkThenOtherCaseWrite_staysInside(Kind kind) throws IOException {
            open(kind);
            attempt(tar().symlink("Lib", "/etc").file("lib/passwd", "pwned").bytes());
            attempt(tar().symlink("up", "../../base/victim").file("UP/hello", "pwned").bytes());
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_writeThenOtherCaseSymlink_staysInside(Kind kind) throws IOException {
            open(kind);
            attempt(tar().dir("lib").file("lib/passwd", "mine").symlink("LIB", "/etc").file("Lib/passwd", "pwned")
                    .bytes());
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_relativeSymlinkOtherCaseChain_staysInside(Kind kind) throws IOException {
            open(kind);
            attempt(tar().dir("a").symlink("a/B", "..").symlink("a/b/C", "../..").file("A/b/c/victim/hello", "pwned")
                    .bytes());
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_namesDifferingInCase_lastOneWins(Kind kind) throws IOException {
            open(kind);
            assertThat(attempt(tar().file("README", "upper").file("readme", "lower").bytes())).isEmpty();

            try (Stream<Path> s = Files.list(dest)) {
                assertThat(s.toList()).hasSize(1);
            }
            assertThat(Files.readString(dest.resolve("README"))).isEqualTo("lower");
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_ordinaryLayer_applies(Kind kind) throws IOException {
            open(kind);
            assertThat(attempt(tar().dir("bin").file("bin/entry", "#!/bin/sh\n").symlink("lib", "bin").bytes()))
                    .isEmpty();

            assertThat(Files.readString(dest.resolve("bin").resolve("entry"))).isEqualTo("#!/bin/sh\n");
            assertThat(Files.isSymbolicLink(dest.resolve("lib"))).isTrue();
        }
    }

    @Nested
    class WindowsNames {
        @ParameterizedTest
        @ValueSource(strings = {"a:b", "dir/x:y", "con", "CON", "nul.txt", "dir/COM1", "lpt9.log", "aux", "trailing.",
            "dir./x", "space ", "q?", "star*", "pipe|x", "lt<", "gt>", "quote\"", "back\\slash", "ctl\u0001"})
        void apply_nameWindowsRefuses_typedError(String name) throws IOException {
            open(Kind.WINDOWS);

            assertThat(attempt(tar().file(name, "x").bytes())).hasValueSatisfying(
                    e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.MALFORMED));
        }

        @ParameterizedTest
        @ValueSource(strings = {"con", "a:b", "trailing."})
        void apply_sameNamesOnMacos_apply(String name) throws IOException {
            open(Kind.MACOS);

            assertThat(attempt(tar().file(name, "x").bytes())).isEmpty();
        }

        @Test
        void apply_relativeSymlink_kept() throws IOException {
            open(Kind.WINDOWS);

            assertThat(attempt(tar().dir("bin").file("bin/entry", "x").symlink("link", "bin/entry").bytes())).isEmpty();
            assertThat(Files.readString(dest.resolve("link"))).isEqualTo("x");
        }

        @Test
        void apply_symlinkUpThenBackslashes_staysInside() throws IOException {
            open(Kind.WINDOWS);

            attempt(tar().dir("a").dir("a/b").symlink("a/b/up", "../../../base/victim").file("a/b/up/hello", "pwned")
                    .bytes());
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void apply_componentLongerThanFileSystemsHold_limit(Kind kind) throws IOException {
            open(kind);
            String name = "d".repeat(100) + "/" + "e".repeat(256);

            assertThat(attempt(tar().file(name, "x").bytes())).hasValueSatisfying(
                    e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.LIMIT));
        }
    }
}
