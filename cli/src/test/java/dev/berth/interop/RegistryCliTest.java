package dev.berth.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.cli.Berth;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The berth command against a real distribution registry on loopback: push and install over HTTP,
 * credentials from a Docker client config, and the demo with {@code --registry}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryCliTest {
    @TempDir
    static Path tmp;

    private LoopbackRegistry open;
    private LoopbackRegistry authenticated;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    void start() throws IOException {
        for (Path bin : List.of(LoopbackRegistry.BINARY, Path.of("/usr/bin/curl"), Path.of("/usr/bin/htpasswd"))) {
            if (!Files.isExecutable(bin)) {
                String message = "REGISTRY TESTS NOT RUN: " + bin + " is missing (apt-get install -y docker-registry curl apache2-utils)";
                System.err.println(message);
                if ("true".equals(System.getenv("CI"))) {
                    fail(message + " (CI=true: a skip is a failure)");
                }
                Assumptions.abort(message);
            }
        }
        open = LoopbackRegistry.start(tmp.resolve("open"));
        Path htpasswd = tmp.resolve("htpasswd");
        Files.writeString(htpasswd, Procs.run(Map.of(), Duration.ofSeconds(30),
                List.of("htpasswd", "-Bbn", "tester", "s3cret")).orThrow().out());
        authenticated = LoopbackRegistry.start(tmp.resolve("auth"), Optional.of(htpasswd));
    }

    @AfterAll
    void stop() {
        if (open != null) {
            open.close();
        }
        if (authenticated != null) {
            authenticated.close();
        }
    }

    private Run berth(Path root, Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--exec-root", tmp.resolve("x").toString(),
                "--config", config.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Berth.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private Path context(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve("rootfs"));
        Files.writeString(dir.resolve("file"), name);
        Files.writeString(dir.resolveSibling("config.json"), "{\"description\":\"" + name + "\",\"entrypoint\":[\"/x\"],"
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"},"
                + "\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]}}");
        return dir.getParent();
    }

    @Nested
    class PushInstall {
        @Test
        void pushThenInstall_overHttp_recordsTheRegistryReference() throws IOException {
            Path root = tmp.resolve("root1");
            Path config = Files.createDirectories(tmp.resolve("cfg1"));
            String ref = open.address() + "/acme/p:1.0";
            assertThat(berth(root, config, "create", ref, context("p1").toString()).code()).isZero();
            Run push = berth(root, config, "push", ref);
            assertThat(push.code()).as(push.err()).isZero();
            assertThat(berth(root, config, "rm", ref).code()).isZero();

            Run privileges = berth(root, config, "privileges", ref);
            Run install = berth(root, config, "install", "--disable", "--grant-all-permissions", ref);

            assertThat(privileges.out().strip()).isEqualTo(
                    "[{\"Name\":\"capabilities\",\"Description\":\"list of additional capabilities required\",\"Value\":[\"CAP_SYS_ADMIN\"]}]");
            assertThat(install.code()).as(install.err()).isZero();
            assertThat(install.out()).contains("Installed plugin " + ref);
            assertThat(berth(root, config, "inspect", ref).out()).contains("\"PluginReference\": \"" + ref + "\"");
        }

        @Test
        void install_missingRepository_failsWithOneLine() {
            Run r = berth(tmp.resolve("root2"), tmp.resolve("cfg2"), "install", "--disable", open.address() + "/no/such:1");

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).startsWith("Error response from daemon: ").doesNotContain("\n");
        }
    }

    @Nested
    class PlatformIndex {
        @Test
        void pushIndexThenInstall_selectsTheHostOrTheAskedPlatform() throws IOException {
            Path root = tmp.resolve("root-index");
            Path config = Files.createDirectories(tmp.resolve("cfg-index"));
            String ref = open.address() + "/acme/multi:1.0";
            assertThat(berth(root, config, "create", "--platform", "linux/amd64", "multi-build:amd64",
                    context("variant-amd64").toString()).code()).isZero();
            Run arm = berth(root, config, "create", "--platform", "linux/arm64/v8", "multi-build:arm64",
                    context("variant-arm64").toString());
            assertThat(arm.code()).as(arm.err()).isZero();

            Run push = berth(root, config, "push", "--index", ref, "multi-build:amd64", "multi-build:arm64");

            assertThat(push.code()).as(push.err()).isZero();
            assertThat(push.out()).containsPattern("(?m)^linux/amd64: digest: sha256:[0-9a-f]{64} size: \\d+$")
                    .containsPattern("(?m)^linux/arm64/v8: digest: sha256:[0-9a-f]{64} size: \\d+$")
                    .containsPattern("(?m)^1.0: digest: sha256:[0-9a-f]{64} size: \\d+$");

            Run host = berth(root, config, "install", "--disable", "--grant-all-permissions", ref);
            assertThat(host.code()).as(host.err()).isZero();
            assertThat(berth(root, config, "inspect", ref).out())
                    .contains("\"Description\": \"variant-" + dev.berth.oci.Platform.host().architecture() + "\"");

            Run other = berth(root, config, "install", "--disable", "--grant-all-permissions", "--platform", "linux/arm64",
                    "--alias", "multi-arm:1.0", ref);
            assertThat(other.code()).as(other.err()).isZero();
            assertThat(berth(root, config, "inspect", "multi-arm:1.0").out()).contains("\"Description\": \"variant-arm64\"");

            Run none = berth(root, config, "install", "--disable", "--grant-all-permissions", "--platform", "linux/s390x",
                    "--alias", "multi-s390x:1.0", ref);
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.err().strip()).contains("no manifest for platform linux/s390x")
                    .contains("available: linux/amd64, linux/arm64/v8").doesNotContain("\n");
            assertThat(berth(root, config, "install", "--platform", "linux", ref).code()).isEqualTo(2);
            // the installed arm64 variant keeps the platform its config records
            Run twice = berth(root, config, "push", "--index", ref, "multi-arm:1.0", "multi-build:arm64");
            assertThat(twice.code()).isEqualTo(1);
            assertThat(twice.err()).contains("are both for linux/arm64");
        }
    }

    @Nested
    class Credentials {
        @Test
        void push_withLoginInConfig_succeeds() throws IOException {
            Path config = Files.createDirectories(tmp.resolve("logged-in"));
            String auth = Base64.getEncoder().encodeToString("tester:s3cret".getBytes(StandardCharsets.UTF_8));
            Files.writeString(config.resolve("config.json"),
                    "{\"auths\":{\"" + authenticated.address() + "\":{\"auth\":\"" + auth + "\"}}}");
            Path root = tmp.resolve("root3");
            String ref = authenticated.address() + "/acme/secret:1.0";
            assertThat(berth(root, config, "create", ref, context("secret").toString()).code()).isZero();

            Run push = berth(root, config, "push", ref);

            assertThat(push.code()).as(push.err()).isZero();
            assertThat(berth(root, config, "privileges", ref).code()).isZero();
        }

        @Test
        void push_withoutLogin_failsWithOneLine() throws IOException {
            Path config = Files.createDirectories(tmp.resolve("anonymous"));
            Path root = tmp.resolve("root4");
            String ref = authenticated.address() + "/acme/anon:1.0";
            assertThat(berth(root, config, "create", ref, context("anon").toString()).code()).isZero();

            Run push = berth(root, config, "push", ref);

            assertThat(push.code()).isEqualTo(1);
            assertThat(push.err().strip()).startsWith("Error response from daemon: ").doesNotContain("\n");
        }
    }

    @Nested
    class QuickStartExample {
        @Test
        void quickStart_againstRegistry_installsSetsAndRemoves() throws IOException {
            Path root = tmp.resolve("qs-root");
            Path config = Files.createDirectories(tmp.resolve("cfg-qs"));
            String ref = open.address() + "/acme/quick:1.0";
            assertThat(berth(tmp.resolve("qs-maker"), config, "create", ref, context("quick").toString()).code()).isZero();
            assertThat(berth(tmp.resolve("qs-maker"), config, "push", ref).code()).isZero();

            dev.berth.examples.QuickStart.main(new String[] {root.toString(), ref});

            try (var entries = Files.list(root)) {
                assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.matches("[0-9a-f]{64}"));
            }
            try (var blobs = Files.walk(root.resolve("storage"))) {
                assertThat(blobs.filter(Files::isRegularFile).filter(p -> p.toString().contains("/blobs/"))).isEmpty();
            }
        }
    }

    @Nested
    class Demo {
        @Test
        void demo_withRegistry_walksTheLifecycle() {
            Run r = berth(tmp.resolve("unused"), tmp.resolve("cfg5"), "demo", "--no-enable", "--registry", open.address());

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("remote " + open.address() + "/berth/sample-plugin:1.0", "Summary:",
                    "skipped: --no-enable was given", "same as at create");
        }
    }
}
