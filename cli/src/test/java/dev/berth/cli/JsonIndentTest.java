package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonIndentTest {
    // Expected values use | for a newline and _ for one indent level (two spaces here, to keep the table short).
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            "[];                       []",
            "{};                       {}",
            "{\"a\":[]};               {|_\"a\": []|}",
            "{\"a\":{}};               {|_\"a\": {}|}",
            "[1,2];                    [|_1,|_2|]",
            "{\"a\":{\"b\":null}};     {|_\"a\": {|__\"b\": null|_}|}",
            "[\"x,y\"];                [|_\"x,y\"|]",
            "[\"a:{b}\"];              [|_\"a:{b}\"|]",
            "[\"q\\\"[\"];             [|_\"q\\\"[\"|]",
            "[\"back\\\\\",\"z\"];     [|_\"back\\\\\",|_\"z\"|]",
            "{\"a\":1,\"b\":[true]};   {|_\"a\": 1,|_\"b\": [|__true|_]|}",
    })
    void indent_table_matchesGoJsonIndent(String compact, String expected) {
        assertThat(JsonIndent.indent(compact, "  ")).isEqualTo(expected.replace("|", "\n").replace("_", "  "));
    }
}
