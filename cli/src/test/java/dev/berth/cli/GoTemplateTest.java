package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.cli.template.Template;
import dev.berth.cli.template.TemplateException;
import dev.berth.json.DockerJson;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Templates over an inspect document as {@code docker plugin inspect -f} runs them (Go's
 * {@code types.Plugin} first, the plain JSON when that fails); expected outputs are what Docker prints.
 */
class GoTemplateTest {
    @SuppressWarnings("unchecked")
    static final Map<String, Object> DOC = (Map<String, Object>) DockerJson.parse(("{\"Config\":{\"Description\":\"a <volume> & more\",\"Env\":[{\"Name\":\"DEBUG\","
            + "\"Value\":\"0\"},{\"Name\":\"MODE\",\"Value\":\"fast\"}],\"Interface\":{\"Socket\":\"p.sock\","
            + "\"Types\":[\"docker.volumedriver/1.0\"]},\"User\":{\"GID\":0,\"UID\":1000},\"rootfs\":{\"diff_ids\":"
            + "[\"sha256:aa\"],\"type\":\"layers\"}},\"Enabled\":true,\"Id\":\"0123456789abcdef\",\"Name\":\"vol:1\","
            + "\"PluginReference\":\"docker.io/acme/vol:1\",\"Settings\":{\"Args\":[],\"Devices\":null,"
            + "\"Env\":[\"DEBUG=0\",\"MODE=fast\"]}}"));

    static String run(String template) {
        return Template.parse(template).executeInspect(DOC);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', value = {
        "{{.Enabled}} => true",
        "{{.ID}} => 0123456789abcdef",
        "{{.Name}} is {{.Enabled}} => vol:1 is true",
        "{{.Config.Description}} => a <volume> & more",
        "{{json .Config.Description}} => \"a <volume> & more\"",
        "{{json .Settings.Env}} => [\"DEBUG=0\",\"MODE=fast\"]",
        "{{json .Config.User}} => {\"UID\":1000}",
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
        "{{.Name}}\\t{{.Enabled}} => vol:1\\ttrue",
        "{{with $m := index .Config.Env 1}}{{$m.Value}}{{end}} => fast",
        "{{(index .Config.Env 0).Name}} => DEBUG",
        "{{range $i, $e := .Settings.Env}}{{if $i}},{{end}}{{$i}}:{{$e}}{{end}} => 0:DEBUG=0,1:MODE=fast",
        "{{$n := 0}}{{range .Settings.Env}}{{$n = len .}}{{end}}{{$n}} => 9",
        "{{range .Settings.Env}}{{if eq . \"MODE=fast\"}}{{break}}{{end}}{{.}};{{end}} => DEBUG=0;",
        "{{range .Settings.Env}}{{if eq . \"DEBUG=0\"}}{{continue}}{{end}}{{.}}{{end}} => MODE=fast",
        "{{.Config.Interface.Types}} {{(index .Config.Interface.Types 0).Prefix}} => [docker.volumedriver/1.0] docker",
        "{{eq .Config.User.UID 1000 0}} {{lt .Config.User.GID 1}} {{gt 2.5 1.5}} => true true true",
        "{{or 0 \"\" nil}} {{and 0 (index .Settings.Env 9)}} => <no value> 0",
        "{{slice .Name 1 3}} {{html \"<a>\"}} {{urlquery \"a b\"}} {{js \"'\"}} => ol &lt;a&gt; a+b \\'",
        "{{printf \"%5s|%-4d|%q|%v|%T\" \"ab\" 7 \"x\" .Config.User .Enabled}} => '   ab|7   |\"x\"|{0 1000}|bool'",
        "{{.Config.Rootfs}} => {[sha256:aa] layers}",
        "{{.Config.Env}} => [{ DEBUG [] 0xc000000000} { MODE [] 0xc000000000}]",
    })
    void execute_asDockerPrints(String template, String expected) {
        assertThat(run(template.strip())).isEqualTo(expected);
    }

    @Test
    void execute_jsonOfTheWholeDocument_isGosMarshalOfTheStructWithItsZeroValues() {
        String json = run("{{json .}}");

        assertThat(json).startsWith("{\"Config\":{\"Args\":{\"Description\":\"\",\"Name\":\"\",\"Settable\":null,"
                        + "\"Value\":null},\"Description\":\"a <volume> & more\"")
                .endsWith("\"Settings\":{\"Args\":[],\"Devices\":null,\"Env\":[\"DEBUG=0\",\"MODE=fast\"],\"Mounts\":null}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{.Name", "{{bogus .Name}}", "{{if .Enabled}}x", "{{end}}", "{{$x}}",
        "{{(.Name}}", "{{\"unterminated}}", "{{.Name | 3}}", "{{}}", "{{break}}"})
    void parse_invalid_failsWithATemplateError(String template) {
        assertThatThrownBy(() -> Template.parse(template)).isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{.Nope}}", "{{.Name.Deeper}}", "{{range .Name}}{{end}}", "{{index .Settings.Env 5}}",
        "{{truncate .Name \"x\"}}", "{{join .Name}}", "{{eq .Settings.Env .Settings.Env}}", "{{.Name \"x\"}}",
        "{{.Name | .Enabled}}", "{{.config}}"})
    void execute_badFieldOrArguments_failsWithATemplateError(String template) {
        Template t = Template.parse(template);

        assertThatThrownBy(() -> t.executeInspect(DOC)).isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: ");
    }

    @Test
    void execute_fieldsTheApiOmitsWhenEmpty_readAsGosZeroValues() {
        @SuppressWarnings("unchecked")
        Map<String, Object> bare = (Map<String, Object>) DockerJson.parse("{\"Config\":{\"User\":{},\"Interface\":{\"Socket\":\"s\"}}}");

        assertThat(Template.parse("{{.Config.User.UID}}/{{.Config.User.GID}}/{{.Config.DockerVersion}}/"
                + "{{.Config.Interface.ProtocolScheme}}/{{.PluginReference}}").executeInspect(bare)).isEqualTo("0/0///");
    }

    @Test
    void execute_jsonNameOfAGoField_isFoundInTheFallbackOverTheJson() {
        // .ID is the Go field; .Id fails on the struct and Docker then runs the template over the JSON
        assertThat(run("{{.Id}}")).isEqualTo(run("{{.ID}}")).isEqualTo("0123456789abcdef");
        // one template runs whole on one of the two: mixing both fails on either
        assertThatThrownBy(() -> run("{{.Id}} {{.ID}}")).isInstanceOf(TemplateException.class);
    }

    @Test
    void execute_unknownField_failsWithTheFallbacksMissingKeyErrorAsDockerReportsIt() {
        assertThatThrownBy(() -> run("{{.Config.Nope}}")).isInstanceOf(TemplateException.class)
                .hasMessage("template: :1:9: executing \"\" at <.Config.Nope>: map has no entry for key \"Nope\"");
    }

    @Test
    void parse_unknownFunction_failsAsGoWordsIt() {
        assertThatThrownBy(() -> Template.parse("x\n{{bogus}}")).isInstanceOf(TemplateException.class)
                .hasMessage("template: :2: function \"bogus\" not defined");
    }

    @Test
    void printf_hugeWidthOrPrecision_endsTheFormatAsGosParsenumDoes() {
        // Found by GoTemplateFuzzTest: a width of a billion padded the output until the heap ran out. Go's
        // parsenum gives up on a number past 1e6 and the rest of the format, printing %!(NOVERB); the
        // argument is then left over, which Go reports as EXTRA.
        assertThat(run("{{printf \"a%1000000000db\" 1}}")).isEqualTo("a%!(NOVERB)%!(EXTRA int=1)");
        assertThat(run("{{printf \"a%.1000000000fb\" 1.5}}")).startsWith("a%!(NOVERB)%!(EXTRA float64=1.5");
        assertThat(run("{{printf \"[%5d]\" 1}}")).isEqualTo("[    1]");
    }

    @Test
    void printf_runeVerbsOnValuesThatAreNoRune_printTheReplacementCharacterAsGoDoes() {
        // Found by the build's short fuzzing run (GoTemplateFuzzTest): %c of 100000000 threw
        // IllegalArgumentException from Character.toChars. Go's fmtC and fmtQc print U+FFFD for anything
        // past utf8.MaxRune (a negative int is a huge unsigned one there), and utf8 encodes surrogates so.
        assertThat(run("{{printf \"%c\" 100000000}}")).isEqualTo("\uFFFD");
        assertThat(run("{{printf \"%c|%c\" -1 55296}}")).isEqualTo("\uFFFD|\uFFFD");
        assertThat(run("{{printf \"%q\" 4294967361}}")).isEqualTo("'\uFFFD'");
        assertThat(run("{{printf \"%c%c\" 65 128512}}")).isEqualTo("A\uD83D\uDE00");
    }

    @Test
    void execute_resultsThatDoubleWithoutEnd_failAtTheCapInsteadOfExhaustingTheHeap() {
        // Found by a 10-minute GoTemplateFuzzTest run: thirty chained printf "%q" double their escapes each
        // time, and the JVM ran out of heap (Go would too). A call's result and the output are capped.
        String chain = "{{\"\\\\\"" + " | printf \"%q\"".repeat(30) + "}}";
        assertThatThrownBy(() -> run(chain)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("error calling printf: result longer than 1048576 characters");

        String repeat = "{{define \"a\"}}{{printf \"%999999d\" 1}}{{template \"a\" .}}{{end}}{{template \"a\" .}}";
        assertThatThrownBy(() -> run(repeat)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("output longer than 16777216 characters");
        assertThat(run("{{printf \"%q\" \"a\\\\b\"}}")).isEqualTo("\"a\\\\b\"");
    }

    @Test
    void execute_unboundedTemplateRecursion_failsWithGosDepthError() {
        // Found by GoTemplateFuzzTest: the recursion overflowed the JVM stack before Go's limit of 100000.
        Template t = Template.parse("{{define \"a\"}}{{template \"a\" .}}{{end}}{{template \"a\" .}}");

        assertThatThrownBy(() -> t.executeInspect(DOC)).isExactlyInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: ").hasMessageContaining("exceeded maximum template depth (100000)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{1.5}}", "{{printf \"%.3f|%e|%x\" 1.5 2.5 \"ab\"}}", "{{len (slice \"abc\" 1)}}",
        "{{index (split \"a,b\" \",\") 1}}"})
    void execute_recursionEndingInsideLibraryCode_stillFailsWithGosDepthError(String eachLevel) {
        // Found by GoTemplateFuzzTest: the stack ran out while a float constant compiled a regular
        // expression, and Pattern reported that as a PatternSyntaxException. Whatever a level calls, the
        // user sees the depth error.
        Template t = Template.parse("{{define \"a\"}}" + eachLevel + "{{template \"a\" .}}{{end}}{{template \"a\" .}}");

        assertThatThrownBy(() -> t.executeInspect(DOC)).isExactlyInstanceOf(TemplateException.class)
                .hasMessageContaining("exceeded maximum template depth (100000)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{'\\u000\u00ca'}}", "{{'\\U00110000'}}", "{{'\\xZZ'}}", "{{'0\\u00\u00ca'}}",
        "{{'\\u+041'}}"})
    void parse_malformedCharacterConstant_failsWithATemplateError(String template) {
        // Found by GoTemplateFuzzTest: a NumberFormatException or StringIndexOutOfBoundsException escaped.
        assertThatThrownBy(() -> Template.parse(template)).isExactlyInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: ");
    }
}
