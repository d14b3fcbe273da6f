package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's tabwriter as Docker's formatter uses it, and the name order of docker plugin ls. */
class TabWriterTest {
    @Test
    void format_cellsOfAColumn_padToTheWidestPlusThreeAtLeastTen() {
        assertThat(TabWriter.format("NAME\tENABLED\nlocalhost:5000/a/b:1\tfalse\n"))
                .isEqualTo("NAME                   ENABLED\nlocalhost:5000/a/b:1   false\n");
    }

    @Test
    void format_trailingTab_padsTheLastCellToo() {
        // a tab-terminated cell belongs to a column, even with nothing after it
        assertThat(TabWriter.format("NAME\t\nx\t\n")).isEqualTo("NAME      \nx         \n");
    }

    @Test
    void format_lineWithFewerCells_endsTheColumnBlock() {
        assertThat(TabWriter.format("a\tb\nplain line\nlonger-than-ten\tc\n"))
                .isEqualTo("a         b\nplain line\nlonger-than-ten   c\n");
    }

    @Test
    void format_widthCountsCharactersNotBytes() {
        assertThat(TabWriter.format("é…\tx\nab\ty\n")).isEqualTo("é…        x\nab        y\n");
    }

    @ParameterizedTest
    @CsvSource({"a:2, a:10", "a, b", "p1, p01", "x9, x10", "a, a1", "A, a"})
    void naturalOrder_digitsByValue(String first, String second) {
        List<String> names = new ArrayList<>(List.of(second, first));

        names.sort(NaturalOrder::compare);

        assertThat(names).containsExactly(first, second);
    }
}
