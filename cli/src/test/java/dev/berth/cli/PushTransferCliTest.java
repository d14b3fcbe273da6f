package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.CliRunner.Result;
import dev.berth.testkit.registry.RealRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth push --chunk-size/--max-concurrent-uploads} and their environment variables, against the real registry. */
@Timeout(120)
class PushTransferCliTest {
    @TempDir
    Path tmp;

    /** A plugin whose layer is about 400 KB (random bytes do not compress). */
    private void createBig(CliRunner cli, String name) throws Exception {
        Path ctx = CliRunner.context(tmp.resolve("ctx"), CliRunner.plainConfig("big"));
        byte[] data = new byte[400_000];
        new Random(3).nextBytes(data);
        Files.write(ctx.resolve("rootfs/bin/data"), data);
        Result r = cli.run("create", name, ctx.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static int acceptedPatches(RealRegistry registry, String repo) {
        Matcher m = Pattern.compile("\"PATCH /v2/" + repo + "/blobs/uploads/[^ ]* HTTP/1.1\" 202").matcher(registry.log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void chunkSizeFlag_pushesInChunks_andThePluginInstallsFromTheRegistry() throws Exception {
        RealRegistry.require();
        try (RealRegistry registry = RealRegistry.plain(tmp.resolve("registry"))) {
            CliRunner cli = new CliRunner(tmp.resolve("a"));
            String name = registry.host() + "/acme/big:1";
            createBig(cli, name);

            Result push = cli.run("push", "--chunk-size", "64KiB", "--max-concurrent-uploads", "1", name);

            assertThat(push.code()).as(push.err()).isZero();
            assertThat(acceptedPatches(registry, "acme/big")).as(registry.log()).isGreaterThanOrEqualTo(6);
            CliRunner other = new CliRunner(tmp.resolve("b"));
            Result install = other.run("install", "--disable", name);
            assertThat(install.code()).as(install.err()).isZero();
        }
    }

    @Test
    void withoutTheFlag_eachBlobIsOnePut() throws Exception {
        RealRegistry.require();
        try (RealRegistry registry = RealRegistry.plain(tmp.resolve("registry"))) {
            CliRunner cli = new CliRunner(tmp.resolve("a"));
            String name = registry.host() + "/acme/big:1";
            createBig(cli, name);

            assertThat(cli.run("push", name).code()).isZero();

            assertThat(acceptedPatches(registry, "acme/big")).isZero();
        }
    }

    @Test
    void environment_setsTheChunkSize() throws Exception {
        RealRegistry.require();
        try (RealRegistry registry = RealRegistry.plain(tmp.resolve("registry"))) {
            CliRunner cli = new CliRunner(tmp.resolve("a"));
            String name = registry.host() + "/acme/big:1";
            createBig(cli, name);
            List<String> args = new ArrayList<>(List.of("--root", cli.root().toString(), "--exec-root",
                    cli.execRoot().toString(), "--config", cli.config().toString(), "push", name));

            Result push = CliRunner.runWithEnv(Map.of("HOME", tmp.toString(), "BERTH_CHUNK_SIZE", "128k",
                    "BERTH_MAX_CONCURRENT_UPLOADS", "2"), dev.berth.cli.Terminal.NONE, args.toArray(String[]::new));

            assertThat(push.code()).as(push.err()).isZero();
            assertThat(acceptedPatches(registry, "acme/big")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void badValues_areUsageErrorsNamingTheirOrigin() {
        CliRunner cli = new CliRunner(tmp);

        Result flag = cli.run("push", "--chunk-size", "12parsecs", "p:1");
        Result uploads = cli.run("push", "--max-concurrent-uploads", "0", "p:1");
        Result env = CliRunner.runWithEnv(Map.of("HOME", tmp.toString(), "BERTH_CHUNK_SIZE", "-3"),
                dev.berth.cli.Terminal.NONE, "--root", cli.root().toString(), "push", "p:1");

        assertThat(flag.code()).isEqualTo(Berth.USAGE);
        assertThat(flag.err()).contains("--chunk-size").contains("12parsecs");
        assertThat(uploads.code()).isEqualTo(Berth.USAGE);
        assertThat(uploads.err()).contains("--max-concurrent-uploads");
        assertThat(env.code()).isEqualTo(Berth.USAGE);
        assertThat(env.err()).contains("$BERTH_CHUNK_SIZE");
    }

    @Test
    void sizes_parseAsDockerWrites_them() {
        assertThat(Sizes.parse("16777216")).isEqualTo(16L << 20);
        assertThat(Sizes.parse("16MiB")).isEqualTo(16L << 20);
        assertThat(Sizes.parse("16m")).isEqualTo(16L << 20);
        assertThat(Sizes.parse("1GB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse(" 64 kib ")).isEqualTo(64L << 10);
    }
}
