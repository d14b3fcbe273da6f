package dev.berth.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.internal.GoJsonWriter;
import org.junit.jupiter.api.Test;

/** The two escaping modes of {@link GoJsonWriter}: {@code json.Marshal}'s, and an encoder's without HTML escaping. */
class GoJsonWriterTest {
    static final String TRICKY = "<a> & \"b\"\n\u2028\u0001";

    @Test
    void value_default_escapesHtmlLikeJsonMarshal() {
        assertThat(new GoJsonWriter().value(TRICKY).toString())
                .isEqualTo("\"\\u003ca\\u003e \\u0026 \\\"b\\\"\\n\\u2028\\u0001\"");
    }

    @Test
    void value_withoutHtmlEscaping_keepsAngleBracketsAndAmpersandButEscapesTheRest() {
        assertThat(GoJsonWriter.withoutHtmlEscaping().value(TRICKY).toString())
                .isEqualTo("\"<a> & \\\"b\\\"\\n\\u2028\\u0001\"");
    }
}
