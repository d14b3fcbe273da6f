package dev.berth.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.cli.Berth;
import dev.berth.json.DockerJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Berth and the real Docker 20.10 daemon exchange plugins through a loopback registry and agree on
 * what they see. Needs root, docker.io, docker-registry and curl (gcc and busybox-static for the
 * runnable plugin). Outside CI a missing piece skips loudly; with {@code CI=true} it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerInteropTest {
    /** The members {@code berth inspect} and {@code docker plugin inspect} must agree on. */
    private static final List<String> COMPARED = List.of("Config", "Settings", "Name", "PluginReference", "Enabled");

    private DockerHarness docker;
    private Contexts contexts;
    private Path berthRoot;
    private Path berthExec;

    record Run(int code, String out, String err) {
        Run orFail(String what) {
            assertThat(code).as(what + " failed: " + err + out).isZero();
            return this;
        }
    }

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
            // Berth's plugins are only ever installed disabled, except none; force-remove whatever is left.
            berth("ls", "-q", "--no-trunc").out().lines().filter(s -> !s.isBlank()).forEach(id -> berth("rm", "-f", id));
            docker.close();
        }
    }

    private static void unavailable(String reason) {
        String message = "DOCKER INTEROPERABILITY TESTS NOT RUN: " + reason;
        System.err.println(message);
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: a skip is a failure)");
        }
        Assumptions.abort(message);
    }

    private Run berth(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", berthRoot.toString(), "--exec-root", berthExec.toString(),
                "--config", docker.base().resolve("docker-config").toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Berth.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private Run dockerRun(String... args) {
        Procs.Result r = docker.docker(args);
        return new Run(r.code(), r.out(), r.err());
    }

    /** The one plugin of an inspect document, as plain values (document order, Go's JSON types). */
    private static Map<?, ?> first(String inspectOutput) {
        List<?> array = (List<?>) DockerJson.parse(inspectOutput);
        assertThat(array).hasSize(1);
        return (Map<?, ?>) array.get(0);
    }

    private void assertInspectsAgree(String dockerName, String berthName) {
        Map<?, ?> d = first(dockerRun("plugin", "inspect", dockerName).orFail("docker plugin inspect").out());
        Map<?, ?> b = first(berth("inspect", berthName).orFail("berth inspect").out());
        for (String key : COMPARED) {
            assertThat(b.get(key)).as(key + " of " + berthName).isEqualTo(d.get(key));
        }
    }

    /**
     * Beyond the compared members, the whole document must read the same, byte for byte, once the
     * random IDs are blanked: same key order, same escapes, same four-space indentation.
     */
    private void assertInspectTextsAgree(String dockerName, String berthName) {
        String d = dockerRun("plugin", "inspect", dockerName).orFail("docker plugin inspect").out();
        String b = berth("inspect", berthName).orFail("berth inspect").out();
        assertThat(blankId(b)).isEqualTo(blankId(d));
    }

    private static String blankId(String inspect) {
        return inspect.replaceAll("\"Id\": \"[0-9a-f]{64}\"", "\"Id\": \"<id>\"");
    }

    private String ref(String side, Shape shape, String tag) {
        return docker.registry() + "/" + side + "/" + shape.name() + ":" + tag;
    }

    @Nested
    class DockerToBerth {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.interop.Shape#all")
        void dockerPushed_berthInstalls_inspectsAgree(Shape shape) throws IOException {
            String ref = ref("docker", shape, "1.0");
            Path ctx = contexts.context("d2b-" + shape.name(), shape.configJson("docker-made " + shape.name()), "d2b " + shape);
            dockerRun("plugin", "create", ref, ctx.toString()).orFail("docker plugin create");
            dockerRun("plugin", "push", ref).orFail("docker plugin push");
            dockerRun("plugin", "rm", ref).orFail("docker plugin rm");
            dockerRun("plugin", "install", "--disable", "--grant-all-permissions", ref).orFail("docker plugin install");

            berth("install", "--disable", "--grant-all-permissions", ref).orFail("berth install");

            assertInspectsAgree(ref, ref);
            assertInspectTextsAgree(ref, ref);
        }

        @Test
        void dockerMade_berthInstallsEnabledAndDisables() throws IOException {
            if (!contexts.runnable()) {
                unavailable("gcc -static or busybox-static is missing, so there is no runnable plugin to enable");
            }
            Shape shape = new Shape("runnable", "\"network\":{\"type\":\"host\"}");
            String ref = ref("docker", shape, "1.0");
            Path ctx = contexts.context("drun", shape.configJson("runs under berth"), "docker runnable");
            dockerRun("plugin", "create", ref, ctx.toString()).orFail("docker plugin create");
            dockerRun("plugin", "push", ref).orFail("docker plugin push");

            Run install = berth("install", "--grant-all-permissions", ref);

            install.orFail("berth install (enables)");
            Map<?, ?> enabled = first(berth("inspect", ref).out());
            assertThat(enabled.get("Enabled")).isEqualTo(Boolean.TRUE);
            assertThat(berthExec.resolve((String) enabled.get("Id")).resolve("p.sock")).exists();
            berth("disable", ref).orFail("berth disable");
            assertThat(first(berth("inspect", ref).out()).get("Enabled")).isEqualTo(Boolean.FALSE);
        }
    }

    @Nested
    class BerthToDocker {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.interop.Shape#all")
        void berthPushed_dockerInstalls_inspectsAgree(Shape shape) throws IOException {
            String ref = ref("berth", shape, "1.0");
            Path ctx = contexts.context("b2d-" + shape.name(), shape.configJson("berth-made " + shape.name()), "b2d " + shape);
            berth("create", ref, ctx.toString()).orFail("berth create");
            berth("push", ref).orFail("berth push");
            berth("rm", ref).orFail("berth rm");
            berth("install", "--disable", "--grant-all-permissions", ref).orFail("berth install");

            dockerRun("plugin", "install", "--disable", "--grant-all-permissions", ref).orFail("docker plugin install");

            assertInspectsAgree(ref, ref);
            assertInspectTextsAgree(ref, ref);
        }

        @Test
        void berthMade_dockerEnablesAndDisables() throws IOException {
            if (!contexts.runnable()) {
                unavailable("gcc -static or busybox-static is missing, so there is no runnable plugin to enable");
            }
            Shape shape = new Shape("runnable", "\"network\":{\"type\":\"host\"}");
            String ref = ref("berth", shape, "1.0");
            Path ctx = contexts.context("run", shape.configJson("runs under dockerd"), "runnable");
            berth("create", ref, ctx.toString()).orFail("berth create");
            berth("push", ref).orFail("berth push");

            dockerRun("plugin", "install", "--grant-all-permissions", ref).orFail("docker plugin install (enables)");

            Map<?, ?> enabled = first(dockerRun("plugin", "inspect", ref).orFail("inspect").out());
            assertThat(enabled.get("Enabled")).isEqualTo(Boolean.TRUE);
            String id = (String) enabled.get("Id");
            assertThat(Path.of("/run/docker/plugins", id, "p.sock")).exists();
            dockerRun("plugin", "disable", ref).orFail("docker plugin disable");
            assertThat(first(dockerRun("plugin", "inspect", ref).out()).get("Enabled")).isEqualTo(Boolean.FALSE);
        }
    }

    @Nested
    class PlatformIndex {
        /**
         * Docker cannot install from an index (moby#44870), and dockerd before 23.0 crashes installing a plugin
         * by digest (moby#47299; this is 20.10), so its users install a variant by the tag
         * {@code --platform-tags} gives it: that tag must name the very manifest the index lists for amd64, a
         * plugin Docker installs, its config (with the platform Berth records in it) read as Berth reads it.
         */
        @Test
        void berthPushedIndex_dockerInstallsTheAmd64Variant() throws IOException {
            Shape shape = new Shape("multiarch", "\"network\":{\"type\":\"host\"}");
            String index = docker.registry() + "/berth/multiarch:1.0";
            Path amd = contexts.context("ma-amd64", shape.configJson("variant amd64"), "amd64");
            Path arm = contexts.context("ma-arm64", shape.configJson("variant arm64"), "arm64");
            berth("create", "--platform", "linux/amd64", "ma-build:amd64", amd.toString()).orFail("berth create amd64");
            berth("create", "--platform", "linux/arm64/v8", "ma-build:arm64", arm.toString()).orFail("berth create arm64");

            Run push = berth("push", "--index", index, "--platform-tags", "ma-build:amd64", "ma-build:arm64")
                    .orFail("berth push --index");

            Matcher m = Pattern.compile("(?m)^linux/amd64: digest: (sha256:[0-9a-f]{64}) ").matcher(push.out());
            assertThat(m.find()).as(push.out()).isTrue();
            Run install = dockerRun("plugin", "install", "--disable", "--grant-all-permissions", "--alias",
                    "multiarch-docker:1.0", index + "-linux-amd64").orFail("docker plugin install of the amd64 tag");
            assertThat(install.out()).contains("Digest: " + m.group(1));
            berth("install", "--disable", "--grant-all-permissions", "--platform", "linux/amd64",
                    "--alias", "multiarch-berth:1.0", index).orFail("berth install from the index");

            Map<?, ?> d = first(dockerRun("plugin", "inspect", "multiarch-docker:1.0").orFail("docker plugin inspect").out());
            Map<?, ?> b = first(berth("inspect", "multiarch-berth:1.0").orFail("berth inspect").out());
            assertThat(((Map<?, ?>) d.get("Config")).get("Description")).isEqualTo("variant amd64");
            assertThat(b.get("Config")).isEqualTo(d.get("Config"));
            assertThat(b.get("Settings")).isEqualTo(d.get("Settings"));
            dockerRun("plugin", "rm", "multiarch-docker:1.0").orFail("docker plugin rm");
        }
    }

    @Nested
    class Privileges {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.interop.Shape#all")
        void berthPrivileges_equalDockerdsAnswer(Shape shape) throws IOException {
            String ref = ref("priv", shape, "1.0");
            Path ctx = contexts.context("priv-" + shape.name(), shape.configJson("privileges " + shape.name()), "priv " + shape);
            dockerRun("plugin", "create", ref, ctx.toString()).orFail("docker plugin create");
            dockerRun("plugin", "push", ref).orFail("docker plugin push");

            String fromDocker = docker.engineGet("/plugins/privileges?remote="
                    + URLEncoder.encode(ref, StandardCharsets.UTF_8)).strip();
            String fromBerth = berth("privileges", ref).orFail("berth privileges").out().strip();

            // dockerd encodes "no privileges" as a nil slice, null; Berth's list is never null.
            assertThat(fromBerth).isEqualTo(fromDocker.equals("null") ? "[]" : fromDocker);
        }
    }

    @Nested
    class Upgrade {
        @Test
        void berthInstalled_upgradesToDockerPushedVersion() throws IOException {
            Shape shape = new Shape("upgraded", "\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"}]");
            String v1 = ref("docker", shape, "1.0");
            String v2 = ref("docker", shape, "2.0");
            Path c1 = contexts.context("up1", shape.configJson("version one"), "up 1");
            dockerRun("plugin", "create", v1, c1.toString()).orFail("docker plugin create 1.0");
            dockerRun("plugin", "push", v1).orFail("docker plugin push 1.0");
            berth("install", "--disable", "--grant-all-permissions", "--alias", "upgraded", v1).orFail("berth install 1.0");
            berth("set", "upgraded", "DEBUG=1").orFail("berth set");
            String id = (String) first(berth("inspect", "upgraded").out()).get("Id");

            Path c2 = contexts.context("up2", shape.configJson("version two") .replace("\"value\":\"0\"", "\"value\":\"2\""), "up 2");
            dockerRun("plugin", "create", v2, c2.toString()).orFail("docker plugin create 2.0");
            dockerRun("plugin", "push", v2).orFail("docker plugin push 2.0");
            dockerRun("plugin", "rm", v2).orFail("docker plugin rm 2.0");
            dockerRun("plugin", "install", "--disable", "--grant-all-permissions", v2).orFail("docker plugin install 2.0");

            Run up = berth("upgrade", "--grant-all-permissions", "--skip-remote-check", "upgraded", v2);

            up.orFail("berth upgrade");
            assertThat(up.out()).contains("Upgraded plugin upgraded:latest to " + v2);
            Map<?, ?> after = first(berth("inspect", "upgraded").out());
            Map<?, ?> dockers = first(dockerRun("plugin", "inspect", v2).out());
            assertThat(after.get("Config")).isEqualTo(dockers.get("Config"));
            assertThat(after.get("PluginReference")).isEqualTo(dockers.get("PluginReference"));
            assertThat(after.get("Id")).isEqualTo(id);
            // Docker keeps the settings made before an upgrade.
            List<?> env = (List<?>) ((Map<?, ?>) after.get("Settings")).get("Env");
            assertThat(env.stream().map(Object::toString).toList()).containsExactly("DEBUG=1");
        }
    }

    @Nested
    class Templates {
        /**
         * The same template over the same plugin prints the same in both CLIs: field names as Go spells
         * them, pipelines, range, Docker's functions, json without HTML escaping, omitted zero values.
         */
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
            "{{.Name}} {{.Enabled}} {{.PluginReference}}",
            "{{json .Config}}",
            "{{json .Settings}}",
            "{{.Config.Description | upper}}|{{.Config.Interface.Socket}}|{{.Config.Rootfs.Type}}|{{len .Config.Rootfs.DiffIds}}",
            "{{range .Settings.Env}}[{{.}}]{{end}}{{range .Config.Env}}<{{.Name}}={{.Value}} {{.Settable}}>{{end}}",
            "{{.Settings.Args}} {{.Settings.Mounts}} {{.Settings.Devices}} {{.Config.Args.Value}}",
            "{{.Config.User.UID}}:{{.Config.User.GID}} {{.Config.DockerVersion}}{{.Config.Interface.ProtocolScheme}}",
            "{{if .Enabled}}on{{else}}off{{end}} {{join .Config.Entrypoint \",\"}} {{json .Config.Interface.Types}}",
        })
        void inspectFormat_sameTemplate_samePrintout(String template) throws IOException {
            String ref = docker.registry() + "/docker/templates:1.0";
            if (berth("inspect", ref).code() != 0) {
                Shape shape = new Shape("templates", Shape.all().get(5).config() + ",\"user\":{}");
                Path ctx = contexts.context("templates", shape.configJson("a <templated> & escaped plugin"), "t");
                dockerRun("plugin", "create", ref, ctx.toString()).orFail("docker plugin create");
                dockerRun("plugin", "push", ref).orFail("docker plugin push");
                dockerRun("plugin", "rm", ref).orFail("docker plugin rm");
                dockerRun("plugin", "install", "--disable", "--grant-all-permissions", ref).orFail("docker plugin install");
                berth("install", "--disable", "--grant-all-permissions", ref).orFail("berth install");
            }

            String fromDocker = dockerRun("plugin", "inspect", "--format", template, ref).orFail("docker plugin inspect").out();
            String fromBerth = berth("inspect", "--format", template, ref).orFail("berth inspect").out();

            assertThat(fromBerth).isEqualTo(fromDocker);
        }
    }
}
