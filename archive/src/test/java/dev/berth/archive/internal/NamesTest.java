package dev.berth.archive.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.RootfsLimits;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {
    @Nested
    class Clean {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "a/b/c          | a/b/c",
            "/a/b           | a/b",
            "//a//b//       | a/b",
            "./a/./b/.      | a/b",
            "a/b/../c       | a/c",
            "a/../../b      | ../b",
            "/../x          | ../x",
            "..             | ..",
            ".              | ''",
            "./             | ''",
            "''             | ''",
            "dne/../.wh.etc | .wh.etc",
            "...            | ...",
            "..gitme        | ..gitme",
            "a\\..\\b       | a\\..\\b",
        })
        void clean_name_goPathCleanWithoutLeadingSlash(String raw, String expected) {
            List<String> want = expected.isEmpty() ? List.of() : Arrays.asList(expected.split("/"));
            assertThat(Names.clean(raw)).isEqualTo(want);
        }
    }

    @Nested
    class Confined {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "../x      | BREAKOUT",
            "a/../../x | BREAKOUT",
            "a\u0000b  | MALFORMED",
            "a\uFFFDb  | MALFORMED",
        })
        void confined_badName_refused(String raw, ArchiveException.Kind kind) {
            assertThatThrownBy(() -> Names.confined(raw, raw, RootfsLimits.defaults()))
                    .isInstanceOfSatisfying(ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(kind));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "256 | 1  ",
            "10  | 500",
        })
        void confined_overCaps_limit(int componentLength, int depth) {
            String name = String.join("/", java.util.Collections.nCopies(depth, "x".repeat(componentLength)));
            assertThatThrownBy(() -> Names.confined(name, name, RootfsLimits.defaults()))
                    .isInstanceOfSatisfying(ArchiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.LIMIT));
        }
    }
}
