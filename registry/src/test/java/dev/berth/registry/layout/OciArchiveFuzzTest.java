package dev.berth.registry.layout;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.exception.PluginException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzes reading an OCI archive ({@link OciArchive}): the tar table of contents, {@code oci-layout},
 * {@code index.json}, and every manifest and blob an entry reaches. Invariant for every input: either a
 * typed refusal (a {@link PluginException}: {@code ArchiveException}, {@code RegistryException},
 * {@code DigestMismatchException}, {@code NotFoundException}) or a result whose blobs all read back with
 * the digest and size their descriptors name; and nothing is left or written anywhere but the spool file
 * inside the temporary root, which is gone after {@link OciArchive#close()} or a refusal. Any other
 * exception (an {@code IllegalArgumentException}, an {@code ArithmeticException}, an out-of-memory) is a
 * finding.
 *
 * <p>Without {@code JAZZER_FUZZ} JUnit runs the method once per file of its seed corpus in
 * {@code src/test/resources/dev/berth/registry/layout/OciArchiveFuzzTestInputs/readArchive/}: archives
 * written by berth save and skopeo, and the hostile shapes of {@code OciArchiveTest}.
 */
class OciArchiveFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void readArchive(byte[] tar) throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path spool = Files.createDirectories(fs.getPath("/fuzz/spool"));
            try (OciArchive archive = OciArchive.read(new ByteArrayInputStream(tar), spool)) {
                readEverything(archive);
            } catch (PluginException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            try (Stream<Path> all = Files.walk(fs.getPath("/"))) {
                assertThat(all.map(Path::toString)).containsExactlyInAnyOrder("/", "/work", "/fuzz", "/fuzz/spool");
            }
        }
    }

    /** Resolves every entry and reads every blob it reaches, each checked against its descriptor. */
    private static void readEverything(OciArchive archive) throws IOException {
        Reference ref = Reference.parse("oci-layout.invalid/fuzz:1");
        for (OciArchive.Entry e : archive.entries()) {
            Descriptor manifest = archive.resolve(ref.withDigest(e.descriptor().digest()));
            List<Descriptor> blobs = new ArrayList<>(List.of(manifest));
            byte[] bytes = read(archive, ref, manifest);
            if (MediaTypes.isManifest(manifest.mediaType())) {
                Manifest m = OciJson.decodeManifest(bytes, manifest.mediaType());
                blobs.add(m.config());
                blobs.addAll(m.layers());
            }
            for (Descriptor d : blobs.subList(1, blobs.size())) {
                read(archive, ref, d);
            }
        }
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest
                    .getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] read(OciArchive archive, Reference ref, Descriptor d) throws IOException {
        if (d.size() > OciJson.MAX_MANIFEST_BYTES) {
            try (InputStream in = archive.fetcher(ref).fetch(d)) {
                assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(d.size());
            }
            return new byte[0];
        }
        try (InputStream in = archive.fetcher(ref).fetch(d)) {
            byte[] b = in.readAllBytes();
            assertThat(b).hasSize((int) d.size());
            assertThat(hex(d.digest().algorithm(), b)).isEqualTo(d.digest().hex());
            return b;
        }
    }
}
