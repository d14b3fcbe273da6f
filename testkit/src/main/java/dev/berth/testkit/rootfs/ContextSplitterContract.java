package dev.berth.testkit.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsLimits;
import dev.berth.rootfs.SplitContext;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link ContextSplitter} must pass, as documented in {@code dev.berth.rootfs}: a
 * {@code docker plugin create} context (plain or gzip tar) is split into its {@code config.json} bytes,
 * as found, and a layer of the {@code rootfs/} entries re-rooted, whose digest, size and diff ID
 * describe what was written; the context is read to its end and neither stream is closed; a missing,
 * duplicate or non-regular config or a missing rootfs is {@link Kind#CONFIG}; hostile, malformed and
 * oversized contexts are refused with the documented kinds.
 *
 * <p>To run it, extend this class in a test and implement {@link #splitter(RootfsLimits)}. The suite
 * reads the written layer back when its media type is a plain or gzip tar; other layer compressions
 * are checked by digest and size only.
 */
public abstract class ContextSplitterContract {
    private static final byte[] CONFIG = "{\"description\":\"contract\",\"entrypoint\":[\"/bin/tool\"]}"
            .getBytes(StandardCharsets.UTF_8);

    /** For subclasses. */
    protected ContextSplitterContract() {
    }

    /** The splitter under test, enforcing {@code limits}; most cases pass {@link RootfsLimits#defaults()}. */
    protected abstract ContextSplitter splitter(RootfsLimits limits);

    // ------------------------------------------------------------------ helpers

    /** The result of a split and the bytes written to the sink. */
    record Outcome(SplitContext result, byte[] blob) {
    }

    Outcome split(byte[] context) {
        return split(context, RootfsLimits.defaults());
    }

    Outcome split(byte[] context, RootfsLimits limits) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        SplitContext result = splitter(limits).split(new ByteArrayInputStream(context), sink);
        return new Outcome(result, sink.toByteArray());
    }

    static Tar.Builder context() {
        return Tar.builder().file("config.json", CONFIG).dir("rootfs").dir("rootfs/bin")
                .file("rootfs/bin/tool", "#!/bin/sh\n").symlink("rootfs/bin/sh", "/bin/busybox");
    }

    /** The uncompressed layer, when the suite can read its media type; null otherwise. */
    static byte[] uncompressed(Outcome split) {
        String type = split.result().layer().mediaType();
        try {
            if (type.endsWith("+gzip") || type.endsWith(".tar.gzip")) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(split.blob()))) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return type.endsWith(".tar") ? split.blob() : null;
    }

    /** The layer's entries by cleaned name (no {@code ./}, no trailing {@code /}), in order. */
    static Map<String, Entry> entries(Outcome split) {
        byte[] tar = uncompressed(split);
        org.junit.jupiter.api.Assumptions.assumeTrue(tar != null,
                "the suite cannot read a layer of type " + split.result().layer().mediaType());
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            Tar.Reader reader = new Tar.Reader(new ByteArrayInputStream(tar), 1 << 20);
            Tar.Entry e;
            while ((e = reader.next()) != null) {
                String name = e.name();
                while (name.startsWith("./")) {
                    name = name.substring(2);
                }
                while (name.endsWith("/")) {
                    name = name.substring(0, name.length() - 1);
                }
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                entries.put(name, new Entry(e.type(), e.link(), reader.data().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** One entry of the written layer. */
    record Entry(byte type, String link, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    static void assertRefused(ThrowingCallable call, Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ArchiveException.class,
                e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind));
    }

    /** Records whether it was closed and whether it was read to its end. */
    static final class RecordingIn extends ByteArrayInputStream {
        boolean closed;

        RecordingIn(byte[] bytes) {
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

    /** Records whether it was closed. */
    static final class RecordingOut extends ByteArrayOutputStream {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    // ------------------------------------------------------------------ the contract

    @Nested
    class Split {
        @Test
        void split_configAndRootfs_returnsTheConfigBytesAsFound() {
            assertThat(split(context().bytes()).result().config()).isEqualTo(CONFIG);
        }

        @Test
        void split_configAndRootfs_layerHoldsTheRootfsEntriesReRooted() {
            Map<String, Entry> entries = entries(split(context().bytes()));

            assertThat(entries.keySet()).containsExactlyInAnyOrder("bin", "bin/tool", "bin/sh");
            assertThat(entries.get("bin").type()).isEqualTo(Tar.DIRECTORY);
            assertThat(entries.get("bin/tool").text()).isEqualTo("#!/bin/sh\n");
            assertThat(entries.get("bin/sh").type()).isEqualTo(Tar.SYMLINK);
            assertThat(entries.get("bin/sh").link()).as("symlink targets verbatim").isEqualTo("/bin/busybox");
        }

        @Test
        void split_anyContext_layerDescribesTheBytesWritten() {
            Outcome split = split(context().bytes());

            assertThat(split.result().layer().digest()).isEqualTo(Digest.sha256(split.blob()));
            assertThat(split.result().layer().size()).isEqualTo(split.blob().length);
            byte[] tar = uncompressed(split);
            if (tar != null) {
                assertThat(split.result().layer().diffId()).isEqualTo(Digest.sha256(tar));
                assertThat(split.result().layer().uncompressedSize()).isEqualTo(tar.length);
            }
        }

        @Test
        void split_gzipContext_sameConfigAndEntriesAsPlain() {
            Outcome plain = split(context().bytes());
            Outcome gzip = split(Tar.gzip(context().bytes()));

            assertThat(gzip.result().config()).isEqualTo(plain.result().config());
            assertThat(entries(gzip).keySet()).isEqualTo(entries(plain).keySet());
        }

        @Test
        void split_entriesOutsideRootfs_discarded() {
            Map<String, Entry> entries = entries(split(context().file("README.md", "readme").dir("other")
                    .file("other/x", "x").file("rootfsx/y", "y").bytes()));

            assertThat(entries.keySet()).containsExactlyInAnyOrder("bin", "bin/tool", "bin/sh");
        }

        @Test
        void split_hardLinkInRootfs_targetReRooted() {
            Map<String, Entry> entries = entries(split(context().hardlink("rootfs/bin/again", "rootfs/bin/tool")
                    .bytes()));

            assertThat(entries.get("bin/again").type()).isEqualTo(Tar.HARDLINK);
            assertThat(entries.get("bin/again").link()).isEqualTo("bin/tool");
        }

        @Test
        void split_configAfterRootfs_found() {
            byte[] context = Tar.builder().dir("rootfs").file("rootfs/f", "x").file("config.json", CONFIG).bytes();

            assertThat(split(context).result().config()).isEqualTo(CONFIG);
        }

        @Test
        void split_streams_contextReadToItsEndSinkFlushedNeitherClosed() {
            RecordingIn in = new RecordingIn(Arrays.copyOf(context().bytes(), context().bytes().length + 4096));
            RecordingOut out = new RecordingOut();

            SplitContext result = splitter(RootfsLimits.defaults()).split(in, new BufferedOutputStream(out, 1 << 20));

            assertThat(in.atEnd()).as("read to its end").isTrue();
            assertThat(in.closed).as("context closed").isFalse();
            assertThat(out.closed).as("sink closed").isFalse();
            assertThat(out.size()).as("flushed").isEqualTo(result.layer().size());
        }
    }

    @Nested
    class Config {
        @Test
        void split_noConfig_config() {
            assertRefused(() -> split(Tar.builder().dir("rootfs").file("rootfs/f", "x").bytes()), Kind.CONFIG);
        }

        @Test
        void split_noRootfs_config() {
            assertRefused(() -> split(Tar.builder().file("config.json", CONFIG).file("f", "x").bytes()), Kind.CONFIG);
        }

        @ParameterizedTest
        @ValueSource(strings = {"config.json", "./config.json", "/config.json"})
        void split_twoConfigs_config(String second) {
            assertRefused(() -> split(context().file(second, CONFIG).bytes()), Kind.CONFIG);
        }

        @Test
        void split_configIsADirectory_config() {
            assertRefused(() -> split(Tar.builder().dir("config.json").dir("rootfs").bytes()), Kind.CONFIG);
        }

        @Test
        void split_configIsASymlink_config() {
            assertRefused(() -> split(Tar.builder().file("real.json", CONFIG).symlink("config.json", "real.json")
                    .dir("rootfs").bytes()), Kind.CONFIG);
        }

        @Test
        void split_emptyContext_config() {
            assertRefused(() -> split(Tar.builder().bytes()), Kind.CONFIG);
        }
    }

    @Nested
    class Refusals {
        @ParameterizedTest
        @ValueSource(strings = {"rootfs/../../etc/x", "rootfs/a/../../../x"})
        void split_rootfsNameClimbingOut_breakout(String name) {
            assertRefused(() -> split(context().file(name, "pwned").bytes()), Kind.BREAKOUT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"../../etc/passwd", "rootfs/../../etc/passwd"})
        void split_hardLinkClimbingOut_refused(String target) {
            assertThatThrownBy(() -> split(context().hardlink("rootfs/h", target).bytes()))
                    .isInstanceOf(ArchiveException.class);
        }

        @Test
        void split_truncatedContext_malformed() {
            byte[] whole = context().file("rootfs/big", new byte[4000]).unterminated();

            assertRefused(() -> split(Arrays.copyOf(whole, whole.length - 2048)), Kind.MALFORMED);
        }

        @Test
        void split_headerWithWrongChecksum_malformed() {
            byte[] context = context().bytes();
            context[0] ^= 1;

            assertRefused(() -> split(context), Kind.MALFORMED);
        }

        @Test
        void split_garbage_refused() {
            assertThatThrownBy(() -> split(RootfsApplierContract.random(4096))).isInstanceOf(ArchiveException.class);
        }

        @Test
        void split_configOverTheCap_limit() {
            assertRefused(() -> split(context().bytes(), RootfsLimits.defaults().withMaxConfigSize(16)), Kind.LIMIT);
        }

        @Test
        void split_moreEntriesThanTheCap_limit() {
            assertRefused(() -> split(context().bytes(), RootfsLimits.defaults().withMaxEntries(3)), Kind.LIMIT);
        }

        @Test
        void split_gzipBombPastTheUncompressedCap_limit() {
            byte[] bomb = Tar.gzip(context().file("rootfs/zeros", new byte[4 << 20]).bytes());

            assertRefused(() -> split(bomb, RootfsLimits.defaults().withMaxUncompressedBytes(64 * 1024)), Kind.LIMIT);
        }
    }
}
