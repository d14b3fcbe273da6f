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

/** What every applier test shares: the victim oracle around a fresh root, and apply helpers. */
abstract class ApplierTestBase {
    static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path tmp;
    Victim v;

    @BeforeEach
    void victim() {
        v = new Victim(tmp);
    }

    @AfterEach
    void cleanUp() throws IOException {
        v.close();
    }

    AppliedLayer apply(byte[] tar) {
        return apply(tar, RootfsPolicy.defaults());
    }

    AppliedLayer apply(byte[] tar, RootfsPolicy policy) {
        return TarRootfsApplier.create(policy).apply(new ByteArrayInputStream(tar), MediaTypes.OCI_LAYER_TAR, v.dest);
    }

    /** Applies, then checks the victims whatever happened; returns the refusal, if any. */
    Optional<ArchiveException> attempt(byte[] tar) {
        return attempt(tar, RootfsPolicy.defaults());
    }

    Optional<ArchiveException> attempt(byte[] tar, RootfsPolicy policy) {
        try {
            apply(tar, policy);
            return Optional.empty();
        } catch (ArchiveException e) {
            return Optional.of(e);
        } finally {
            v.assertUntouched();
        }
    }

    static void assertKind(Optional<ArchiveException> result, ArchiveException.Kind kind) {
        assertThat(result).as("expected a %s refusal", kind).isPresent();
        assertThat(result.get().kind()).as(result.get().getMessage()).isEqualTo(kind);
    }

    Path dest(String relative) {
        return v.dest.resolve(relative);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW).fileKey();
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

}
