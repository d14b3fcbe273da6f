package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes reference and digest parsing. Invariant for every input: either the documented typed error
 * ({@link InvalidReferenceException}, {@link InvalidDigestException}) or a value whose {@code toString}
 * parses back to an equal value (and prints the same). Any other exception type is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} JUnit runs each method once per seed in
 * {@code src/test/resources/dev/berth/oci/ReferenceDigestFuzzTestInputs/<method>/}.
 */
class ReferenceDigestFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parseReference(byte[] data) {
        String input = new String(data, StandardCharsets.UTF_8);
        Reference ref;
        try {
            ref = Reference.parse(input);
        } catch (InvalidReferenceException expected) {
            assertThat(Reference.isValid(input)).isFalse();
            return;
        }
        String printed = ref.toString();
        Reference again = Reference.parse(printed);
        assertThat(again).as("parse(%s) from input %s", printed, input).isEqualTo(ref);
        assertThat(again.toString()).isEqualTo(printed);
        assertThat(Reference.parseNormalized(printed)).isEqualTo(ref);
    }

    @FuzzTest(maxDuration = "60s")
    void parseDigest(byte[] data) {
        String input = new String(data, StandardCharsets.UTF_8);
        Digest digest;
        try {
            digest = Digest.parse(input);
        } catch (InvalidDigestException expected) {
            assertThat(Digest.isValid(input)).isFalse();
            return;
        }
        assertThat(digest.toString()).isEqualTo(input);
        assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    }
}
