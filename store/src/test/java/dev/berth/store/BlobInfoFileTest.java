package dev.berth.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobInfoFileTest {
    private static final Instant T = Instant.parse("2026-11-27T18:00:00.123456789Z");

    @Nested
    class Decode {
        @Test
        void decode_encodedContents_roundTrips() throws IOException {
            Map<String, String> labels = Map.of("containerd.io/gc.root", "2026-11-27T18:00:00Z", "K", "upper",
                    "k", "lower", "spaces and\nnewlines", "%41 + =", "empty", "", "\u4e2d", "\u00e9");
            BlobInfoFile.Contents contents = new BlobInfoFile.Contents(T, T.plusSeconds(5), labels);
            assertThat(BlobInfoFile.decode(BlobInfoFile.encode(contents))).contains(contents);
        }

        @Test
        void decode_unknownLinesFromANewerVersion_areIgnored() throws IOException {
            String text = "berth-blob-info 1\ncreated " + T + "\nupdated " + T + "\nfuture x y z\nlabel a b\n";
            assertThat(BlobInfoFile.decode(text.getBytes(StandardCharsets.UTF_8)))
                    .contains(new BlobInfoFile.Contents(T, T, Map.of("a", "b")));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "",
                "garbage",
                "berth-blob-info 2\ncreated 2026-11-27T18:00:00Z\nupdated 2026-11-27T18:00:00Z\n",
                "berth-blob-info 1\nupdated 2026-11-27T18:00:00Z\n",
                "berth-blob-info 1\ncreated 2026-11-27T18:00:00Z\n",
                "berth-blob-info 1\ncreated yesterday\nupdated 2026-11-27T18:00:00Z\n",
                "berth-blob-info 1\ncreated 2026-11-27T18:00:00Z\nupdated 2026-11-27T18:00:00Z\nlabel onlykey\n",
                "berth-blob-info 1\ncreated 2026-11-27T18:00:00Z\nupdated 2026-11-27T18:00:00Z\nlabel %zz v\n",
                "berth-blob-info 1\ncreated\nupdated 2026-11-27T18:00:00Z\n"})
        void decode_malformed_isEmpty(String text) throws IOException {
            assertThat(BlobInfoFile.decode(text.getBytes(StandardCharsets.UTF_8))).isEmpty();
        }
    }
}
