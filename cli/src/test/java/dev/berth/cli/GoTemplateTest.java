package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.internal.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Go-template subset over an inspect-shaped document; expected outputs are what Docker prints. */
class GoTemplateTest {
    static final Object DOC = Json.parse(("{\"Config\":{\"Description\":\"a <volume> & more\",\"Env\":[{\"Name\":\"DEBUG\","
            + "\"Value\":\"0\"},{\"Name\":\"MODE\",\"Value\":\"fast\"}],\"Interface\":{\"Socket\":\"p.sock\","
            + "\"Types\":[\"docker.volumedriver/1.0\"]},\"User\":{\"GID\":0,\"UID\":1000},\"rootfs\":{\"diff_ids\":"
            + "[\"sha256:aa\"],\"type\":\"layers\"}},\"Enabled\":true,\"Id\":\"0123456789abcdef\",\"Name\":\"vol:1\","
            + "\"PluginReference\":\"docker.io/acme/vol:1\",\"Settings\":{\"Args\":[],\"Devices\":null,"
            + "\"Env\":[\"DEBUG=0\",\"MODE=fast\"]}}").getBytes(StandardCharsets.UTF_8));

    static String run(String template) {
        return GoTemplate.parse(template).execute(DOC);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', value = {
        "{{.Enabled}} => true",
        "{{.ID}} => 0123456789abcdef",
        "{{.Name}} is {{.Enabled}} => vol:1 is true",
        "{{.Config.Description}} => a <volume> & more",
        "{{json .Config.Description}} => \"a <volume> & more\"",
        "{{json .Settings.Env}} => [\"DEBUG=0\",\"MODE=fast\"]",
        "{{json .Config.User}} => {\"GID\":0,\"UID\":1000}",
        "{{.Settings.Env}} => [DEBUG=0 MODE=fast]",
        "{{.Config.User}} => {0 1000}",
        "{{.Settings.Devices}} => []",
        "{{.Config.Rootfs.DiffIds}} => [sha256:aa]",
        "{{.Config.Rootfs.Type}} => layers",
        "{{range .Settings.Env}}[{{.}}]{{end}} => [DEBUG=0][MODE=fast]",
        "{{range .Config.Env}}{{.Name}}={{.Value}};{{end}} => DEBUG=0;MODE=fast;",
        "{{range .Settings.Args}}x{{else}}none{{end}} => none",
        "{{range .Settings.Devices}}x{{else}}nil{{end}} => nil",
        "{{if .Enabled}}on{{else}}off{{end}} => on",
        "{{if not .Enabled}}on{{else if .Name}}named{{else}}off{{end}} => named",
        "{{with .Config.Interface}}{{.Socket}}{{end}} => p.sock",
        "{{.Name | upper}} => VOL:1",
        "{{upper .Name | lower}} => vol:1",
        "{{join .Settings.Env \",\"}} => DEBUG=0,MODE=fast",
        "{{index (split .PluginReference \"/\") 1}} => acme",
        "{{index .Settings.Env 1}} => MODE=fast",
        "{{len .Settings.Env}} => 2",
        "{{truncate .ID 4}} => 0123",
        "'{{pad .Name 1 2}}|' => ' vol:1  |'",
        "{{title \"hello docker world\"}} => Hello Docker World",
        "{{printf \"%s-%d%%\" .Name .Config.User.UID}} => vol:1-1000%",
        "{{eq .Name \"vol:1\"}} {{ne .Name \"x\"}} => true true",
        "{{eq .Config.User.UID 1000}} => true",
        "{{and .Enabled .Name}} {{or \"\" .Name}} => vol:1 vol:1",
        "{{/* a comment */}}x => x",
        "a  {{- .Name -}}  b => avol:1b",
        "{{$.Name}}{{with .Config}}{{$.Enabled}}{{end}} => vol:1true",
        "{{print .Name 1 2 \"s\"}} => vol:11 2s",
        "{{.Name}}\\t{{.Enabled}} => 'vol:1\ttrue'",
    })
    void execute_asDockerPrints(String template, String expected) {
        assertThat(run(template.strip())).isEqualTo(expected);
    }

    @Test
    void execute_jsonOfTheWholeDocument_isTheCompactEngineApiObjectInDocumentOrder() {
        String json = run("{{json .}}");

        assertThat(json).startsWith("{\"Config\":{\"Description\":\"a <volume> & more\"")
                .endsWith("\"Settings\":{\"Args\":[],\"Devices\":null,\"Env\":[\"DEBUG=0\",\"MODE=fast\"]}}");
        assertThat(Json.parse(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(DOC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{.Name", "{{bogus .Name}}", "{{if .Enabled}}x", "{{end}}", "{{.Name \"x\"}}",
        "{{define \"x\"}}{{end}}", "{{(.Name}}", "{{\"unterminated}}", "{{.Name | .Enabled}}", "{{}}"})
    void parse_invalid_failsWithATemplateError(String template) {
        assertThatThrownBy(() -> GoTemplate.parse(template)).isInstanceOf(GoTemplate.TemplateException.class)
                .hasMessageStartingWith("template: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{.Nope}}", "{{.Name.Deeper}}", "{{range .Name}}{{end}}", "{{index .Settings.Env 5}}",
        "{{truncate .Name \"x\"}}", "{{join .Name}}", "{{eq .Settings.Env .Settings.Env}}"})
    void execute_badFieldOrArguments_failsWithATemplateError(String template) {
        GoTemplate t = GoTemplate.parse(template);

        assertThatThrownBy(() -> t.execute(DOC)).isInstanceOf(GoTemplate.TemplateException.class)
                .hasMessageStartingWith("template: ");
    }

    @Test
    void execute_fieldsTheApiOmitsWhenEmpty_readAsGosZeroValues() {
        Object bare = Json.parse("{\"Config\":{\"User\":{},\"Interface\":{\"Socket\":\"s\"}}}"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(GoTemplate.parse("{{.Config.User.UID}}/{{.Config.User.GID}}/{{.Config.DockerVersion}}/"
                + "{{.Config.Interface.ProtocolScheme}}/{{.PluginReference}}").execute(bare)).isEqualTo("0/0///");
    }

    @Test
    void execute_fieldsMatchGoNamesWithoutCase_asDockersStructFieldsMapOntoTheJson() {
        assertThat(run("{{.Id}} {{.ID}} {{.config.description}}")).isEqualTo("0123456789abcdef 0123456789abcdef a <volume> & more");
    }
}
