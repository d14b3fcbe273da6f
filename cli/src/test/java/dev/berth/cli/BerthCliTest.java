package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cli.CliRunner.Result;
import dev.berth.cli.CliRunner.ScriptedTerminal;
import dev.berth.json.DockerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BerthCliTest {
    @TempDir
    Path tmp;

    CliRunner cli;
    Path layout;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(tmp);
        layout = tmp.resolve("layout");
    }

    /** Creates a plugin from a plain context; fails the test unless it worked. */
    private void create(String name, String config) {
        Path ctx = CliRunner.context(tmp.resolve("ctx-" + Math.abs(name.hashCode()) + "-" + System.nanoTime()), config);
        Result r = cli.run("create", name, ctx.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** Creates, pushes into the layout and removes locally: the plugin is then only in the layout. */
    private String published(String name, String config) {
        create(name, config);
        assertThat(cli.run("push", name, "oci:" + layout).code()).isZero();
        assertThat(cli.run("rm", name).code()).isZero();
        return "oci:" + layout + ":" + name.substring(name.lastIndexOf(':') + 1);
    }

    private static void assertOneLineError(Result r, String text) {
        assertThat(r.code()).isEqualTo(Berth.FAILED);
        // as Docker's CLI prints them: the daemon's answers after its prefix, the client's own bare
        assertThat(r.err().strip()).contains(text).doesNotContain("\n").doesNotContain("\tat ");
    }

    @Nested
    class Usage {
        @Test
        void help_always_listsEveryCommand() {
            Result r = CliRunner.runRaw(Terminal.NONE, "--help");

            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage: berth", "--root", "--exec-root", "--config", "--insecure-registry",
                    "--registry-mirror", "--debug", "--quiet");
            for (String c : List.of("create", "install", "ls", "inspect", "enable", "disable", "rm", "set", "push",
                    "upgrade", "privileges", "gc", "demo", "save", "load")) {
                assertThat(r.out()).containsPattern("(?m)^\\s+" + c + "[\\s,]");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"create", "install", "ls", "inspect", "enable", "disable", "rm", "set", "push",
                "upgrade", "privileges", "gc", "demo", "save", "load"})
        void commandHelp_always_exitsZeroWithUsage(String command) {
            Result r = CliRunner.runRaw(Terminal.NONE, command, "--help");

            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage: berth " + command);
        }

        @Test
        void noCommand_always_exitsTwo() {
            Result r = CliRunner.runRaw(Terminal.NONE);

            assertThat(r.code()).isEqualTo(Berth.USAGE);
            assertThat(r.err()).contains("missing command");
        }

        @Test
        void unknownCommand_always_exitsTwo() {
            assertThat(CliRunner.runRaw(Terminal.NONE, "frobnicate").code()).isEqualTo(Berth.USAGE);
        }

        @Test
        void unknownOption_always_exitsTwoNamingIt() {
            Result r = cli.run("ls", "--bogus");

            assertThat(r.code()).isEqualTo(Berth.USAGE);
            assertThat(r.err()).contains("--bogus").contains("See 'berth ls --help'.");
        }

        @Test
        void missingArgument_always_exitsTwo() {
            assertThat(cli.run("create", "x:1").code()).isEqualTo(Berth.USAGE);
            assertThat(cli.run("set", "x:1").code()).isEqualTo(Berth.USAGE);
        }

        @Test
        void root_fromBerthRootVariable_isUsed() {
            Path root = tmp.resolve("env-root");
            Path ctx = CliRunner.context(tmp.resolve("ctx"), CliRunner.plainConfig("x"));

            Result r = CliRunner.runWithEnv(Map.of("BERTH_ROOT", root.toString(), "HOME", tmp.resolve("home").toString()),
                    Terminal.NONE, "--exec-root", tmp.resolve("x").toString(), "create", "p:1", ctx.toString());

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(root.resolve("storage")).isDirectory();
            assertThat(tmp.resolve("home")).doesNotExist();
        }

        @Test
        void root_withoutOptionOrVariable_isUnderHome() {
            Path home = tmp.resolve("home");

            Result r = CliRunner.runWithEnv(Map.of("HOME", home.toString()), Terminal.NONE,
                    "--exec-root", tmp.resolve("x").toString(), "ls");

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(home.resolve(".local/share/berth/storage")).isDirectory();
        }

        @Test
        void registryMirror_notHttp_failsWithOneLine() {
            assertOneLineError(cli.run("--registry-mirror", "ftp://mirror.example", "ls"), "a mirror must be an http(s) URL");
        }

        @Test
        void globalOptions_repeatable_areAccepted() {
            Result r = cli.run("--insecure-registry", "reg.example:5000", "--insecure-registry", "other.example",
                    "--registry-mirror", "https://m1.example", "--registry-mirror", "http://m2.example:5000/", "ls");

            assertThat(r.code()).as(r.err()).isZero();
        }

        @Test
        void root_thatIsAFile_failsWithOneLine() throws IOException {
            Path file = Files.writeString(tmp.resolve("file"), "x");

            assertOneLineError(CliRunner.runRaw(Terminal.NONE, "--root", file.toString(), "ls"), "is not a directory");
        }

        @Test
        void operationError_withoutDebug_printsOneLineAndNoTrace() {
            Result r = cli.run("inspect", "nope");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.err().strip()).isEqualTo("Error: No such plugin: nope");
        }

        @Test
        void operationError_withDebug_printsTheStackTrace() {
            Result r = cli.run("-D", "enable", "nope");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.err()).startsWith("Error response from daemon: plugin \"nope\" not found").contains("\tat ");
        }
    }

    @Nested
    class Create {
        @Test
        void create_validContext_printsNameAndListsIt() {
            Path ctx = CliRunner.context(tmp.resolve("ctx"), CliRunner.plainConfig("a plugin"));

            Result r = cli.run("create", "localhost:5000/acme/p:1.0", ctx.toString());

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("localhost:5000/acme/p:1.0");
            assertThat(cli.run("ls").out()).contains("localhost:5000/acme/p:1.0", "a plugin", "false");
        }

        @Test
        void create_notADirectory_failsWithDockersMessage() throws IOException {
            Path file = Files.writeString(tmp.resolve("file"), "x");

            assertOneLineError(cli.run("create", "p:1", file.toString()), "context must be a directory");
        }

        @Test
        void create_withoutConfig_fails() throws IOException {
            Files.createDirectories(tmp.resolve("empty/rootfs"));

            assertOneLineError(cli.run("create", "p:1", tmp.resolve("empty").toString()), "has no config.json");
        }

        @Test
        void create_nameTaken_failsWithOneLine() {
            create("p:1", CliRunner.plainConfig("x"));
            Path ctx = CliRunner.context(tmp.resolve("again"), CliRunner.plainConfig("y"));

            assertOneLineError(cli.run("create", "p:1", ctx.toString()), "p:1");
        }

        @Test
        void create_symlinkInRootfs_isKeptAsLink() throws IOException {
            Path ctx = CliRunner.context(tmp.resolve("ctx"), CliRunner.plainConfig("x"));
            Files.createSymbolicLink(ctx.resolve("rootfs/bin/link"), Path.of("plugin"));

            assertThat(cli.run("create", "p:1", ctx.toString()).code()).isZero();

            String id = cli.run("ls", "-q", "--no-trunc").out().strip();
            Path link = cli.root().resolve(id).resolve("rootfs/bin/link");
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("plugin"));
        }
    }

    @Nested
    class Ls {
        @BeforeEach
        void twoPlugins() {
            create("alpha:1", CliRunner.plainConfig("the first plugin, with a description longer than forty-five"));
            create("beta:1", CliRunner.plainConfig("second"));
        }

        @Test
        void ls_table_hasDockersColumnsAndTruncation() {
            List<String> lines = cli.run("ls").outLines();

            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).matches("ID {13}NAME {6}DESCRIPTION +ENABLED");
            assertThat(lines.get(1)).matches("[0-9a-f]{12}   alpha:1 +the first plugin, with a description longer … +false");
        }

        @Test
        void ls_noTrunc_showsFullIdsAndDescriptions() {
            String out = cli.run("ls", "--no-trunc").out();

            assertThat(out).containsPattern("[0-9a-f]{64}   alpha:1").contains("longer than forty-five");
        }

        @Test
        void ls_quiet_printsShortIdsOnly() {
            assertThat(cli.run("ls", "-q").outLines()).hasSize(2).allMatch(l -> l.matches("[0-9a-f]{12}"));
        }

        @Test
        void ls_formatJsonOfDot_isOneObjectPerLineWithDockersFields() {
            // Docker 20.10 has no "json" format name: {{json .}} is how scripts get JSON lines
            List<String> lines = cli.run("ls", "--format", "{{json .}}").outLines();

            assertThat(lines).hasSize(2);
            Map<?, ?> first = (Map<?, ?>) DockerJson.parse(lines.get(0));
            assertThat(first.keySet().stream().map(Object::toString).toList()).containsExactly("Description", "Enabled", "ID", "Name", "PluginReference");
            assertThat(first.get("Name")).isEqualTo("alpha:1");
            assertThat((String) first.get("ID")).matches("[0-9a-f]{12}");
            assertThat((String) first.get("Description")).endsWith("…").hasSize(LsCommand.DESCRIPTION_WIDTH);
            assertThat(first.get("Enabled")).isEqualTo(Boolean.FALSE);
        }

        @Test
        void ls_formatTemplate_printsALinePerPlugin() {
            assertThat(cli.run("ls", "--format", "{{.Name}} {{.Enabled}}").outLines())
                    .containsExactly("alpha:1 false", "beta:1 false");
        }

        @Test
        void ls_formatTableTemplate_hasDockersHeadersAndAlignment() {
            List<String> lines = cli.run("ls", "--format", "table {{.Name}}\\t{{.PluginReference}}\\t{{.Enabled}}").outLines();

            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).matches("NAME {6}IMAGE {5}ENABLED");
            assertThat(lines.get(1)).matches("alpha:1 {3}alpha:1 {3}false");
            assertThat(lines.get(1).indexOf("false")).isEqualTo(lines.get(0).indexOf("ENABLED"));
        }

        @Test
        void ls_pluginsFormatInClientConfig_isTheDefaultFormat() throws IOException {
            Files.writeString(cli.config().resolve("config.json"), "{\"auths\":{},\"pluginsFormat\":\"{{.Name}}!\"}");

            assertThat(cli.run("ls").outLines()).containsExactly("alpha:1!", "beta:1!");
        }

        @Test
        void ls_pluginsFormatInClientConfig_yieldsToFormatFlagAndQuiet() throws IOException {
            Files.writeString(cli.config().resolve("config.json"), "{\"pluginsFormat\":\"raw\"}");

            assertThat(cli.run("ls", "--format", "{{.Name}}").outLines()).containsExactly("alpha:1", "beta:1");
            assertThat(cli.run("ls", "-q").outLines()).allMatch(l -> l.matches("[0-9a-f]{12}"));
            assertThat(cli.run("ls", "--format", "").out()).startsWith("plugin_id: ");
        }

        @Test
        void ls_unreadableClientConfig_listsInTheDefaultTable() throws IOException {
            Files.writeString(cli.config().resolve("config.json"), "{not json");

            assertThat(cli.run("ls").outLines().get(0)).startsWith("ID");
        }

        @Test
        void ls_formatRaw_isDockersBlocks() {
            String out = cli.run("ls", "--format", "raw", "--filter", "enabled=false").out();

            assertThat(out).containsPattern("plugin_id: [0-9a-f]{12}\nname: alpha:1\ndescription: the first plugin, "
                    + "with a description longer …\nenabled: false\n\n");
        }

        @Test
        void ls_formatBadTemplate_failsAsDockerNamingTheProblem() {
            Result r = cli.run("ls", "--format", "{{.Name");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.err()).isEqualTo("template parsing error: template: :1: unclosed action\n");
        }

        @Test
        void ls_formatUnknownField_failsWithOneLine() {
            assertOneLineError(cli.run("ls", "--format", "{{.Colour}}"), "can't evaluate field Colour");
        }

        @Test
        void ls_filterEnabled_selects() {
            assertThat(cli.run("ls", "-q", "--filter", "enabled=true").out()).isEmpty();
            assertThat(cli.run("ls", "-q", "-f", "enabled=false").outLines()).hasSize(2);
        }

        @Test
        void ls_filterCapability_matchesLikeDocker() {
            assertThat(cli.run("ls", "-q", "--filter", "capability=volumedriver").outLines()).hasSize(2);
            assertThat(cli.run("ls", "-q", "--filter", "capability=authz").out()).isEmpty();
        }

        @Test
        void ls_unknownFilterKey_failsWithOneLine() {
            assertOneLineError(cli.run("ls", "--filter", "colour=red"), "Invalid filter 'colour'");
        }

        @Test
        void ls_filterWithoutEquals_isAUsageError() {
            assertThat(cli.run("ls", "--filter", "enabled").code()).isEqualTo(Berth.USAGE);
        }
    }

    @Nested
    class Inspect {
        @Test
        void inspect_oneplugin_isDockersIndentedArray() {
            create("localhost:5000/test/p:1.0", CliRunner.plainConfig("x"));

            Result r = cli.run("inspect", "localhost:5000/test/p:1.0");

            assertThat(r.code()).isZero();
            assertThat(r.out()).startsWith("[\n    {\n        \"Config\": {\n            \"Args\": {\n");
            assertThat(r.out()).contains("\n        \"Enabled\": false,\n", "\"Args\": [],", "\"User\": {},");
            assertThat(r.out()).endsWith("\n    }\n]\n");
            List<?> parsed = (List<?>) DockerJson.parse(r.out());
            Map<?, ?> p = (Map<?, ?>) parsed.get(0);
            assertThat(p.keySet().stream().map(Object::toString).toList()).containsExactly("Config", "Enabled", "Id", "Name", "PluginReference", "Settings");
            assertThat(p.get("PluginReference")).isEqualTo("localhost:5000/test/p:1.0");
        }

        @Test
        void inspect_format_printsTheTemplateForEachPlugin() {
            create("p:1", CliRunner.plainConfig("first"));
            create("q:1", CliRunner.plainConfig("second"));

            Result r = cli.run("inspect", "-f", "{{.Name}} {{.Enabled}} {{.Config.Description}} {{json .Settings.Args}}",
                    "p:1", "q:1");

            assertThat(r.code()).isZero();
            assertThat(r.outLines()).containsExactly("p:1 false first []", "q:1 false second []");
        }

        @Test
        void inspect_formatIdAndMissingPlugin_printsWhatWasFoundAndFails() {
            create("p:1", CliRunner.plainConfig("first"));
            String id = cli.run("ls", "-q", "--no-trunc").out().strip();

            Result r = cli.run("inspect", "--format", "{{.ID}}", "p:1", "nope");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.out().strip()).isEqualTo(id);
            assertThat(r.err()).contains("No such plugin: nope");
        }

        @Test
        void inspect_sameBytesAsTheEncoder_onlyWhitespaceAdded() {
            create("p:1", CliRunner.plainConfig("quotes \\\" and <html> & unicode é"));

            String out = cli.run("inspect", "p:1").out();

            // Go's encoder of the same values writes the same bytes, less the indentation
            assertThat(out.replaceAll("\n *", "").replace("\": ", "\":"))
                    .isEqualTo(DockerJson.encode(DockerJson.parse(out)));
        }

        @Test
        void inspect_someMissing_printsFoundAndFails() {
            create("p:1", CliRunner.plainConfig("x"));

            Result r = cli.run("inspect", "p:1", "ghost");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.out()).contains("\"Name\": \"p:1\"");
            assertThat(r.err().strip()).isEqualTo("Error: No such plugin: ghost");
        }
    }

    @Nested
    class PushAndInstall {
        @Test
        void roundTrip_throughOciLayout_installsTheSamePlugin() {
            create("acme/vol:1.0", CliRunner.plainConfig("layout trip"));
            String before = cli.run("inspect", "acme/vol:1.0").out();

            Result push = cli.run("push", "acme/vol:1.0", "oci:" + layout);
            assertThat(push.code()).as(push.err()).isZero();
            assertThat(push.out()).containsPattern("1.0: digest: sha256:[0-9a-f]{64} size: \\d+");
            assertThat(Files.exists(layout.resolve("index.json"))).isTrue();
            assertThat(cli.run("rm", "acme/vol:1.0").code()).isZero();

            Result install = cli.run("install", "--disable", "--alias", "acme/vol:1.0", "oci:" + layout + ":1.0");

            assertThat(install.code()).as(install.err()).isZero();
            assertThat(install.out()).contains("Installed plugin oci:" + layout + ":1.0");
            Map<?, ?> a = (Map<?, ?>) ((List<?>) DockerJson.parse(before)).get(0);
            Map<?, ?> b = (Map<?, ?>) ((List<?>) DockerJson.parse(cli.run("inspect", "acme/vol:1.0").out())).get(0);
            assertThat(b.get("Config")).isEqualTo(a.get("Config"));
            assertThat(b.get("Settings")).isEqualTo(a.get("Settings"));
        }

        @Test
        void install_fromLayoutWithoutAlias_namesItAfterTheDirectory() {
            String remote = published("x/y:2.0", CliRunner.plainConfig("x"));

            assertThat(cli.run("install", "--disable", remote).code()).isZero();

            assertThat(cli.run("ls").out()).contains("layout:2.0");
        }

        @Test
        void install_privilegedWithoutTerminalOrGrant_promptsAndAtEndOfInputIsDenied() {
            String remote = published("priv:1", CliRunner.privilegedConfig());

            Result r = cli.run("install", "--disable", remote);

            // as docker plugin install: the prompt on stdout, the answer from (empty) input, the refusal bare
            assertThat(r.err()).isEqualTo("Permission denied while installing plugin " + remote + "\n");
            assertThat(r.out()).contains(" - network: [host]").endsWith("Do you grant the above permissions? [y/N] ");
            assertThat(cli.run("ls", "-q").out()).isEmpty();
        }

        @Test
        void install_privilegedWithGrantAll_installs() {
            String remote = published("priv:1", CliRunner.privilegedConfig());

            Result r = cli.run("install", "--disable", "--grant-all-permissions", "--alias", "priv:1", remote);

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(cli.run("ls").out()).contains("priv:1");
        }

        @Test
        void install_onTerminalAnsweredYes_showsDockersPromptAndInstalls() {
            String remote = published("priv:1", CliRunner.privilegedConfig());
            ScriptedTerminal tty = new ScriptedTerminal().answer("y");

            Result r = cli.run(tty, "install", "--disable", "--alias", "priv:1", remote);

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("Plugin \"" + remote + "\" is requesting the following privileges:\n"
                    + " - network: [host]\n - capabilities: [CAP_SYS_ADMIN]\n");
            assertThat(tty.prompts).containsExactly("Do you grant the above permissions? [y/N] ");
            assertThat(cli.run("ls").out()).contains("priv:1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"n", "", "yes please"})
        void install_onTerminalNotAnsweredY_isDenied(String answer) {
            String remote = published("priv:1", CliRunner.privilegedConfig());

            Result r = cli.run(new ScriptedTerminal().answer(answer), "install", "--disable", remote);

            assertOneLineError(r, "Permission denied while installing plugin " + remote);
            assertThat(cli.run("ls", "-q").out()).isEmpty();
        }

        @Test
        void install_noPrivileges_neverPrompts() {
            String remote = published("plain:1", CliRunner.plainConfig("x"));
            ScriptedTerminal tty = new ScriptedTerminal();

            assertThat(cli.run(tty, "install", "--disable", remote).code()).isZero();
            assertThat(tty.prompts).isEmpty();
        }

        @Test
        void install_withSettings_appliesThem() {
            String remote = published("plain:1", CliRunner.plainConfig("x"));

            assertThat(cli.run("install", "--disable", "--alias", "s:1", remote, "DEBUG=7").code()).isZero();

            assertThat(cli.run("inspect", "s:1").out()).contains("\"DEBUG=7\"");
        }

        @Test
        void install_quiet_printsNothing() {
            String remote = published("plain:1", CliRunner.plainConfig("x"));

            Result r = cli.run("-q", "install", "--disable", remote);

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEmpty();
        }

        @Test
        void install_notQuiet_printsPlainProgressLines() {
            String remote = published("plain:1", CliRunner.plainConfig("x"));

            String out = cli.run("install", "--disable", remote).out();

            assertThat(out).containsPattern("(?m)^[0-9a-f]{12}: Pull complete$").doesNotContain("\r");
        }

        @Test
        void install_missingTag_failsWithOneLine() {
            published("plain:1", CliRunner.plainConfig("x"));

            assertOneLineError(cli.run("install", "--disable", "oci:" + layout + ":9.9"), "9.9");
        }

        @Test
        void install_emptyOciDirectory_isAUsageError() {
            assertThat(cli.run("install", "oci:").code()).isEqualTo(Berth.USAGE);
        }

        @Test
        void privileges_ofLayoutPlugin_isTheEngineApiJson() {
            String remote = published("priv:1", CliRunner.privilegedConfig());

            Result r = cli.run("privileges", remote);

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("[{\"Name\":\"network\",\"Description\":\"permissions to access a network\",\"Value\":[\"host\"]},"
                    + "{\"Name\":\"capabilities\",\"Description\":\"list of additional capabilities required\",\"Value\":[\"CAP_SYS_ADMIN\"]}]");
        }

        @Test
        void push_secondArgumentNotALayout_isAUsageError() {
            create("p:1", CliRunner.plainConfig("x"));

            assertThat(cli.run("push", "p:1", "localhost:5000/x:1").code()).isEqualTo(Berth.USAGE);
        }

        @Test
        void push_digestName_failsLikeDocker() {
            assertOneLineError(cli.run("push", "p@sha256:" + "a".repeat(64)), "invalid name: p@sha256:");
        }
    }

    @Nested
    class PlatformIndex {
        private void createFor(String platform, String name, String description) {
            Path ctx = CliRunner.context(tmp.resolve("ctx-" + name.replaceAll("\\W", "-")), CliRunner.plainConfig(description));
            Result r = cli.run("create", "--platform", platform, name, ctx.toString());
            assertThat(r.code()).as(r.err()).isZero();
        }

        private String description(String name) {
            Map<?, ?> p = (Map<?, ?>) ((List<?>) DockerJson.parse(cli.run("inspect", name).out())).get(0);
            return (String) ((Map<?, ?>) p.get("Config")).get("Description");
        }

        @Test
        void pushIndexIntoLayout_thenInstall_selectsThePlatformAsked() {
            createFor("linux/amd64", "vol:amd64", "amd64 build");
            createFor("linux/arm64", "vol:arm64", "arm64 build");

            Result push = cli.run("push", "--index", "oci:" + layout + ":1.0", "--manifest-list", "vol:amd64", "vol:arm64");

            assertThat(push.code()).as(push.err()).isZero();
            assertThat(push.out()).containsPattern("(?m)^linux/amd64: digest: sha256:[0-9a-f]{64} size: \\d+$")
                    .containsPattern("(?m)^linux/arm64: digest: sha256:[0-9a-f]{64} size: \\d+$")
                    .containsPattern("(?m)^1.0: digest: sha256:[0-9a-f]{64} size: \\d+$");
            Result arm = cli.run("install", "--disable", "--platform", "linux/arm64/v8", "--alias", "got-arm:1",
                    "oci:" + layout + ":1.0");
            assertThat(arm.code()).as(arm.err()).isZero();
            assertThat(description("got-arm:1")).isEqualTo("arm64 build");
            Result amd = cli.run("install", "--disable", "--platform", "linux/amd64", "--alias", "got-amd:1",
                    "oci:" + layout + ":1.0");
            assertThat(amd.code()).as(amd.err()).isZero();
            assertThat(description("got-amd:1")).isEqualTo("amd64 build");
            Result none = cli.run("install", "--disable", "--platform", "linux/riscv64", "oci:" + layout + ":1.0");
            assertOneLineError(none, "no manifest for platform linux/riscv64 in the index (available: linux/amd64, linux/arm64)");
        }

        @Test
        void pushIndex_pluginWithoutPlatform_failsNamingIt() {
            createFor("linux/amd64", "vol:amd64", "amd64 build");
            create("vol:plain", CliRunner.plainConfig("plain"));

            assertOneLineError(cli.run("push", "--index", "oci:" + layout + ":1.0", "vol:amd64", "vol:plain"),
                    "plugin vol:plain records no platform");
        }

        @Test
        void flagsOutOfPlace_areUsageErrors() {
            create("p:1", CliRunner.plainConfig("x"));

            assertThat(cli.run("push", "--manifest-list", "p:1").code()).isEqualTo(Berth.USAGE);
            assertThat(cli.run("push", "--platform-tags", "p:1").code()).isEqualTo(Berth.USAGE);
            assertThat(cli.run("push", "p:1", "oci:" + layout, "q:1").code()).isEqualTo(Berth.USAGE);
            Result bad = cli.run("create", "--platform", "linux", "q:1", tmp.toString());
            assertThat(bad.code()).isEqualTo(Berth.USAGE);
            assertThat(bad.err()).contains("invalid platform \"linux\"");
        }
    }

    @Nested
    class SetEnableDisableRm {
        @Test
        void set_settableEnv_changesSettings() {
            create("p:1", CliRunner.plainConfig("x"));

            Result r = cli.run("set", "p:1", "DEBUG=3");

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(cli.run("inspect", "p:1").out()).contains("\"DEBUG=3\"");
        }

        @Test
        void set_unknownKey_failsAndChangesNothing() {
            create("p:1", CliRunner.plainConfig("x"));

            assertOneLineError(cli.run("set", "p:1", "NOPE=1"), "NOPE");
            assertThat(cli.run("inspect", "p:1").out()).contains("\"DEBUG=0\"");
        }

        @Test
        void enable_negativeTimeout_failsLikeDocker() {
            create("p:1", CliRunner.plainConfig("x"));

            assertOneLineError(cli.run("enable", "--timeout", "-1", "p:1"), "negative timeout -1 is invalid");
        }

        @Test
        void disable_disabledPlugin_failsWithOneLine() {
            create("p:1", CliRunner.plainConfig("x"));

            assertOneLineError(cli.run("disable", "p:1"), "already disabled");
        }

        @Test
        void rm_severalWithOneMissing_removesTheOthersAndFails() {
            create("a:1", CliRunner.plainConfig("x"));
            create("b:1", CliRunner.plainConfig("y"));

            Result r = cli.run("rm", "a:1", "ghost", "b:1");

            assertThat(r.code()).isEqualTo(Berth.FAILED);
            assertThat(r.outLines()).containsExactly("a:1", "b:1");
            assertThat(r.err().strip()).isEqualTo("Error: No such plugin: ghost");
            assertThat(cli.run("ls", "-q").out()).isEmpty();
        }

        @Test
        void gc_afterRemove_reportsWhatItDeleted() {
            Result r = cli.run("gc");

            assertThat(r.code()).isZero();
            assertThat(r.out()).matches("Deleted \\d+ blobs?, reclaimed \\S+\\n");
        }
    }

    @Nested
    class Upgrade {
        private String v1;
        private String v2;

        @BeforeEach
        void twoVersions() {
            v1 = published("up:1.0", CliRunner.plainConfig("version one"));
            v2 = published("up:2.0", CliRunner.plainConfig("version two"));
            assertThat(cli.run("install", "--disable", "--alias", "up", v1).code()).isZero();
        }

        @Test
        void upgrade_toOtherTagWithSkipRemoteCheck_replacesConfigKeepsId() {
            String id = cli.run("ls", "-q", "--no-trunc").out().strip();

            Result r = cli.run("upgrade", "--skip-remote-check", "up", v2);

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("Upgrading plugin up:latest from ", "Upgraded plugin up:latest to " + v2);
            assertThat(cli.run("ls", "--no-trunc").out()).contains(id, "version two");
        }

        @Test
        void upgrade_otherTagWithoutTerminal_cancelsAtEndOfInputWithoutChange() {
            assertOneLineError(cli.run("upgrade", "up", v2), "canceling upgrade request");
            assertThat(cli.run("ls").out()).contains("version one");
        }

        @Test
        void upgrade_otherTagOnTerminalAnsweredNo_cancels() {
            ScriptedTerminal tty = new ScriptedTerminal().answer("n");

            assertOneLineError(cli.run(tty, "upgrade", "up", v2), "canceling upgrade request");
            assertThat(tty.prompts).containsExactly("Plugin images do not match, are you sure? [y/N] ");
        }

        @Test
        void upgrade_installedFromLayoutWithoutRemote_isAUsageError() {
            Result r = cli.run("upgrade", "up");

            assertThat(r.code()).isEqualTo(Berth.USAGE);
            assertThat(r.err()).contains("OCI layout");
        }
    }
}
