package dev.berth.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.cli.Berth;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth save} and {@code berth load} against the real registry and real skopeo, in both directions:
 * skopeo reads berth's archive (and copies it back into the registry byte for byte), and berth installs
 * what skopeo wrote as {@code oci-archive:} and {@code oci:}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SaveLoadSkopeoTest {
    static final Path SKOPEO = Path.of("/usr/bin/skopeo");

    @TempDir
    static Path tmp;

    private LoopbackRegistry registry;
    private String ref;
    private String manifestDigest;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    void start() throws IOException {
        for (Path bin : List.of(LoopbackRegistry.BINARY, SKOPEO, Path.of("/usr/bin/curl"))) {
            if (!Files.isExecutable(bin)) {
                String message = "SKOPEO TESTS NOT RUN: " + bin + " is missing (apt-get install -y docker-registry skopeo curl)";
                System.err.println(message);
                if ("true".equals(System.getenv("CI"))) {
                    fail(message + " (CI=true: a skip is a failure)");
                }
                Assumptions.abort(message);
            }
        }
        registry = LoopbackRegistry.start(tmp.resolve("registry"));
        ref = registry.address() + "/acme/p:1.0";
        Path ctx = Files.createDirectories(tmp.resolve("ctx/rootfs"));
        Files.writeString(ctx.resolve("file"), "payload");
        Files.writeString(ctx.resolveSibling("config.json"), "{\"description\":\"p\",\"entrypoint\":[\"/x\"],"
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"},"
                + "\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]}}");
        Path root = tmp.resolve("publisher");
        assertThat(berth(root, "create", ref, ctx.getParent().toString()).code()).isZero();
        Run push = berth(root, "push", ref);
        assertThat(push.code()).as(push.err()).isZero();
        manifestDigest = skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref).sha256;
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private Run berth(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--exec-root", tmp.resolve("x").toString(),
                "--config", tmp.resolve("no-config").toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Berth.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    record Skopeo(String out, String sha256) {
    }

    private Skopeo skopeo(String... args) {
        List<String> cmd = new ArrayList<>(List.of(SKOPEO.toString()));
        cmd.addAll(List.of(args));
        Procs.Result r = Procs.run(Map.of(), Duration.ofSeconds(60), cmd);
        assertThat(r.code()).as("%s: %s", cmd, r.err()).isZero();
        return new Skopeo(r.out(), sha256(r.out()));
    }

    private static String sha256(String text) {
        return dev.berth.oci.Digest.sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** A root holding the plugin, installed from the registry. */
    private Path installedRoot(String name) {
        Path root = tmp.resolve(name);
        Run install = berth(root, "install", "--disable", "--grant-all-permissions", ref);
        assertThat(install.code()).as(install.err()).isZero();
        return root;
    }

    @Test
    void skopeoReadsTheSavedArchive_andCopiesItBackByteForByte() {
        Path root = installedRoot("save-root");
        Path archive = tmp.resolve("saved.tar");
        Run save = berth(root, "save", "-o", archive.toString(), ref);
        assertThat(save.code()).as(save.err()).isZero();

        // skopeo 1.9 finds entries by ref.name only for OCI-typed manifests; a Docker plugin manifest is
        // found as the archive's only entry
        assertThat(skopeo("inspect", "--raw", "oci-archive:" + archive).sha256).isEqualTo(manifestDigest);
        String copy = registry.address() + "/acme/copied:1.0";
        skopeo("copy", "-q", "--preserve-digests", "--dest-tls-verify=false", "oci-archive:" + archive, "docker://" + copy);
        assertThat(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + copy).sha256).isEqualTo(manifestDigest);

        // and what skopeo copied into the registry installs as a plugin
        Run install = berth(tmp.resolve("from-copy"), "install", "--disable", "--grant-all-permissions", copy);
        assertThat(install.code()).as(install.err()).isZero();
    }

    @Test
    void load_installsUnderTheSavedNameWithTheRegistryReference() {
        Path archive = tmp.resolve("roundtrip.tar");
        assertThat(berth(installedRoot("rt-source"), "save", "-o", archive.toString(), ref).code()).isZero();
        Path target = tmp.resolve("rt-target");

        Run load = berth(target, "load", "-i", archive.toString(), "--disable", "--grant-all-permissions");

        assertThat(load.code()).as(load.err()).isZero();
        assertThat(load.out()).contains("Loaded plugin: " + ref);
        assertThat(berth(target, "inspect", ref).out()).contains("\"PluginReference\": \"" + ref + "\"");
    }

    @Test
    void load_withoutTheGrant_isDeniedAndLeavesTheRootEmpty() throws IOException {
        Path archive = tmp.resolve("denied.tar");
        assertThat(berth(installedRoot("denied-source"), "save", "-o", archive.toString(), ref).code()).isZero();
        Path target = tmp.resolve("denied-target");

        Run load = berth(target, "load", "-i", archive.toString(), "--disable");

        assertThat(load.code()).isEqualTo(1);
        assertThat(load.err()).contains("Permission denied");
        assertThat(berth(target, "ls", "-q").out()).isBlank();
        try (Stream<Path> s = Files.list(target.resolve("tmp"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void archiveWrittenBySkopeo_installs() {
        Path archive = tmp.resolve("skopeo.tar");
        skopeo("copy", "-q", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref,
                "oci-archive:" + archive + ":1.0");
        Path root = tmp.resolve("from-skopeo-archive");

        Run install = berth(root, "install", "--disable", "--grant-all-permissions", "oci-archive:" + archive + ":1.0");

        assertThat(install.code()).as(install.err()).isZero();
        assertThat(berth(root, "inspect", "--format", "{{.Name}}", "skopeo-tar:1.0").out().strip())
                .isEqualTo("skopeo-tar:1.0");
        Run load = berth(tmp.resolve("load-skopeo-archive"), "load", "-i", archive.toString(), "--disable",
                "--grant-all-permissions");
        assertThat(load.code()).as(load.err()).isZero();
        assertThat(load.out()).contains("Loaded plugin: skopeo-tar:1.0");
    }

    @Test
    void layoutWrittenBySkopeo_installs() {
        Path dir = tmp.resolve("skopeo-layout");
        skopeo("copy", "-q", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref, "oci:" + dir + ":1.0");

        Run install = berth(tmp.resolve("from-skopeo-layout"), "install", "--disable", "--grant-all-permissions",
                "oci:" + dir + ":1.0");

        assertThat(install.code()).as(install.err()).isZero();
    }

    @Test
    void skopeosConvertedArchive_isRefusedAsNotAPlugin() {
        Path archive = tmp.resolve("converted.tar");
        skopeo("copy", "-q", "--src-tls-verify=false", "docker://" + ref, "oci-archive:" + archive + ":1.0");
        Path root = tmp.resolve("converted-root");

        Run install = berth(root, "install", "--disable", "--grant-all-permissions", "oci-archive:" + archive + ":1.0");

        assertThat(install.code()).isEqualTo(1);
        assertThat(install.err()).contains("not a plugin");
        assertThat(berth(root, "ls", "-q").out()).isBlank();
    }

    @Test
    void hostileArchive_isRefusedWithOneLine() throws IOException {
        Path archive = tmp.resolve("hostile.tar");
        // a tar whose first entry is a symlink to /etc/passwd named index.json
        byte[] h = new byte[512];
        byte[] name = "index.json".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, h, 0, name.length);
        System.arraycopy("0000777\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 100, 8);
        System.arraycopy("00000000000\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 124, 12);
        h[156] = '2';
        byte[] target = "/etc/passwd".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(target, 0, h, 157, target.length);
        System.arraycopy("ustar\00000".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 148, 8);
        Files.write(archive, h);
        Path root = tmp.resolve("hostile-root");

        Run load = berth(root, "load", "-i", archive.toString(), "--disable", "--grant-all-permissions");

        assertThat(load.code()).isEqualTo(1);
        assertThat(load.err().strip()).contains("symbolic link").doesNotContain("\n");
    }
}
