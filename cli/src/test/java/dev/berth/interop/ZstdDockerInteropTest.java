package dev.berth.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.cli.Berth;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the real Docker 20.10 daemon does with a plugin whose layer Berth wrote as zstd
 * ({@code berth create --compress zstd}): recorded here so the README's statement stays true. Needs
 * what {@link DockerInteropTest} needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZstdDockerInteropTest {
    private DockerHarness docker;
    private Contexts contexts;
    private Path berthRoot;
    private Path berthExec;

    @BeforeAll
    void startDocker() throws IOException {
        Optional<String> missing = DockerHarness.missing();
        if (missing.isPresent()) {
            unavailable(missing.get());
        }
        try {
            docker = DockerHarness.start();
        } catch (IOException | RuntimeException e) {
            unavailable("the private dockerd did not start: " + e.getMessage());
        }
        berthRoot = Files.createDirectories(docker.base().resolve("berth"));
        berthExec = Files.createDirectories(docker.base().resolve("bx"));
        contexts = new Contexts(Files.createDirectories(docker.base().resolve("contexts")));
    }

    @AfterAll
    void stopDocker() {
        if (docker != null) {
            docker.close();
        }
    }

    private static void unavailable(String reason) {
        String message = "DOCKER ZSTD INTEROPERABILITY TEST NOT RUN: " + reason;
        System.err.println(message);
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: a skip is a failure)");
        }
        Assumptions.abort(message);
    }

    private DockerInteropTest.Run berth(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", berthRoot.toString(), "--exec-root", berthExec.toString(),
                "--config", docker.base().resolve("docker-config").toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Berth.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new DockerInteropTest.Run(code, out.toString(), err.toString());
    }

    /** Creates with Berth at {@code compression}, pushes, installs with Docker: the installed rootfs's entries. */
    private List<String> dockerInstalledRootfs(String compression, String ref) throws IOException {
        Shape shape = new Shape(compression, "\"network\":{\"type\":\"host\"}");
        Path ctx = contexts.context(compression, shape.configJson("a " + compression + " layer"), compression + " marker");
        berth("create", "--compress", compression, ref, ctx.toString()).orFail("berth create --compress " + compression);
        berth("push", ref).orFail("berth push");

        Procs.Result install = docker.docker("plugin", "install", "--disable", "--grant-all-permissions", ref);

        assertThat(install.code()).as(install.err()).isZero();
        String id = docker.docker("plugin", "inspect", "-f", "{{.Id}}", ref).orThrow().out().strip();
        Path rootfs = docker.base().resolve("dk/root/plugins").resolve(id).resolve("rootfs");
        try (var entries = Files.walk(rootfs)) {
            return entries.map(p -> rootfs.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void berthZstdPlugin_dockerInstallsWithAnEmptyRootfs_andCannotEnableIt() throws IOException {
        // Measured on Docker 20.10: the pull skips the OCI tar+zstd layer of the schema2 plugin
        // manifest without a word, so install succeeds with nothing unpacked and enable fails.
        String gzipRef = docker.registry() + "/berth/gzip:1.0";
        String zstdRef = docker.registry() + "/berth/zstd:1.0";

        List<String> gzip = dockerInstalledRootfs("gzip", gzipRef);
        List<String> zstd = dockerInstalledRootfs("zstd", zstdRef);

        assertThat(gzip).contains("marker", "bin/sample-plugin");
        assertThat(zstd).containsExactly("");
        if (contexts.runnable()) {
            Procs.Result enable = docker.docker("plugin", "enable", zstdRef);
            assertThat(enable.code()).isNotZero();
            assertThat(enable.err()).contains("/bin/sample-plugin", "no such file or directory");
        }
        docker.docker("plugin", "rm", "-f", zstdRef).orThrow();
        docker.docker("plugin", "rm", "-f", gzipRef).orThrow();
    }
}
