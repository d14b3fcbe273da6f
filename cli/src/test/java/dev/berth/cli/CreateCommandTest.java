package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.CliRunner.Result;
import dev.berth.oci.MediaTypes;
import dev.berth.testkit.registry.RealRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth create}: the context streamed into the split, reproducible digests, and the layer compressions. */
class CreateCommandTest {
    @TempDir
    Path tmp;

    private Path context() throws IOException {
        Path ctx = CliRunner.context(tmp.resolve("ctx"), CliRunner.plainConfig("reproducible"));
        Files.createDirectories(ctx.resolve("rootfs/etc"));
        Files.write(ctx.resolve("rootfs/etc/data.bin"), new byte[300_000]);
        Files.createSymbolicLink(ctx.resolve("rootfs/bin/sh"), Path.of("plugin"));
        return ctx;
    }

    /** Creates {@code name} from {@code ctx} on a fresh root and pushes it into a fresh layout: its blob names. */
    private Set<String> createAndPush(String run, Path ctx, String... options) throws IOException {
        CliRunner cli = new CliRunner(tmp.resolve(run));
        Path layout = tmp.resolve(run).resolve("layout");
        List<String> args = new java.util.ArrayList<>(List.of("create"));
        args.addAll(List.of(options));
        args.addAll(List.of("acme/p:1", ctx.toString()));
        Result created = cli.run(args.toArray(String[]::new));
        assertThat(created.code()).as(created.err()).isZero();
        Result pushed = cli.run("push", "acme/p:1", "oci:" + layout);
        assertThat(pushed.code()).as(pushed.err()).isZero();
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            return blobs.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void createTwice_unchangedDirectory_sameLayerConfigAndManifest() throws IOException {
        Path ctx = context();

        Set<String> first = createAndPush("a", ctx);
        Set<String> second = createAndPush("b", ctx);

        assertThat(first).hasSize(3).isEqualTo(second);
    }

    @Test
    void create_fileTimeChanged_otherLayer() throws IOException {
        // mtimes are kept, as Docker keeps them: reproducible because they are the files' own.
        Path ctx = context();
        Set<String> before = createAndPush("a", ctx);
        Path file = ctx.resolve("rootfs/etc/data.bin");
        Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().minusSeconds(3600)));

        Set<String> after = createAndPush("b", ctx);

        assertThat(after).hasSize(3).isNotEqualTo(before);
    }

    @Test
    void create_subSecondTimeChange_sameLayer() throws IOException {
        // moby truncates modification times to whole seconds; so does the context tar.
        Path ctx = context();
        Path file = ctx.resolve("rootfs/etc/data.bin");
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000, 100_000_000)));
        Set<String> before = createAndPush("a", ctx);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000, 900_000_000)));

        assertThat(createAndPush("b", ctx)).isEqualTo(before);
    }

    @Test
    void create_compressionOptions_differentLayersSameRootfs() throws IOException {
        Path ctx = context();

        Set<String> gzip = createAndPush("gzip", ctx, "--compress", "gzip");
        Set<String> byDefault = createAndPush("default", ctx);
        Set<String> zstd = createAndPush("zstd", ctx, "--compress", "ZSTD");
        Set<String> none = createAndPush("none", ctx, "--compress=none");
        Set<String> dockerFlag = createAndPush("docker-flag", ctx, "--compress");

        assertThat(byDefault).isEqualTo(gzip);
        assertThat(dockerFlag).as("Docker's bare --compress NAME DIR").isEqualTo(gzip);
        // One tar, three blobs: the config (its diff_id is the tar's digest) is the one blob they share.
        Set<String> shared = new java.util.HashSet<>(gzip);
        shared.retainAll(zstd);
        assertThat(shared).hasSize(1);
        assertThat(none).hasSize(3).containsAll(shared);
        Set<String> all = new java.util.HashSet<>(gzip);
        all.addAll(zstd);
        all.addAll(none);
        assertThat(all).hasSize(7);
    }

    @Test
    void create_unknownCompression_usageError() throws IOException {
        String ctx = context().toString();
        Result r = new CliRunner(tmp).run("create", "--compress=xz", "acme/p:1", ctx);

        assertThat(r.code()).isEqualTo(Berth.USAGE);
        assertThat(r.err()).contains("expected gzip, zstd or none, not \"xz\"");
        Result spaced = new CliRunner(tmp).run("create", "--compress", "xz", "acme/p:1", ctx);
        assertThat(spaced.code()).isEqualTo(Berth.USAGE);
        assertThat(spaced.err()).contains("expected gzip, zstd or none, not \"xz\"");
        Result beforeOption = new CliRunner(tmp).run("create", "--compress", "--platform", "linux/arm64", "acme/p:1",
                ctx, "extra");
        assertThat(beforeOption.err()).as("a bare --compress before another option is Docker's flag")
                .doesNotContain("--compress").contains("extra");
    }

    @Test
    void create_missingContextFile_failsAndLeavesNoPlugin() throws IOException {
        Path ctx = context();
        Path unreadable = ctx.resolve("rootfs/etc/secret");
        Files.writeString(unreadable, "x");
        unreadable.toFile().setReadable(false);
        CliRunner cli = new CliRunner(tmp.resolve("r"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(unreadable), "running as a user who reads all");

        Result r = cli.run("create", "acme/p:1", ctx.toString());

        assertThat(r.code()).isNotZero();
        assertThat(cli.run("ls", "-q").out()).isEmpty();
    }

    @Test
    void createZstd_pushedToTheRealRegistry_installsOnAFreshRoot() throws Exception {
        try (RealRegistry registry = RealRegistry.plain(tmp.resolve("registry"))) {
            String name = registry.host() + "/acme/zstd:1";
            CliRunner a = new CliRunner(tmp.resolve("a"));
            Result created = a.run("--insecure-registry", registry.host(), "create", "--compress", "zstd", name,
                    context().toString());
            assertThat(created.code()).as(created.err()).isZero();
            Result pushed = a.run("--insecure-registry", registry.host(), "push", name);
            assertThat(pushed.code()).as(pushed.err()).isZero();

            String manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(registry.uri() + "/v2/acme/zstd/manifests/1"))
                    .header("Accept", MediaTypes.DOCKER_MANIFEST_V2).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(manifest).contains(MediaTypes.OCI_LAYER_ZSTD, MediaTypes.DOCKER_PLUGIN_CONFIG);

            CliRunner b = new CliRunner(tmp.resolve("b"));
            Result installed = b.run("--insecure-registry", registry.host(), "install", "--disable", name);
            assertThat(installed.code()).as(installed.err()).isZero();
            try (Stream<Path> files = Files.walk(b.root())) {
                Path data = files.filter(p -> p.endsWith(Path.of("rootfs/etc/data.bin"))).findFirst().orElseThrow();
                assertThat(Files.readAllBytes(data)).isEqualTo(new byte[300_000]);
            }
        }
    }
}
