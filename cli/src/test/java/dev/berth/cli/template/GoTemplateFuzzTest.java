package dev.berth.cli.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the Go template engine behind {@code --format} and {@code -f}. Invariant for every input: parsing
 * fails only with a {@link TemplateException} (Go's message, starting {@code template: }), and a template
 * that parses executes over a small JSON value to a string or fails with a {@link TemplateException}; any
 * other exception or error (a {@link StackOverflowError} included) is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} JUnit runs the method once per seed in
 * {@code src/test/resources/dev/berth/cli/template/GoTemplateFuzzTestInputs/parseAndExecute/}.
 */
class GoTemplateFuzzTest {
    private static final Map<String, Object> DATA = Map.of(
            "Name", "vieux/sshfs:latest", "Enabled", Boolean.TRUE, "Size", new BigDecimal("3"),
            "Env", List.of("DEBUG=0", "A=b"), "Config", Map.of("Mounts", List.of(Map.of("Source", "/tmp"))));

    @FuzzTest(maxDuration = "60s")
    void parseAndExecute(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Template template;
        try {
            template = Template.parse(text);
        } catch (TemplateException expected) {
            assertThat(expected.getMessage()).startsWith("template: ");
            return;
        }
        try {
            assertThat(template.executeJson(DATA)).isNotNull();
        } catch (TemplateException expected) {
            assertThat(expected.getMessage()).startsWith("template: ");
        }
    }
}
