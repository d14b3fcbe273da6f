package dev.berth.store;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Codec of Berth's per-blob side file {@code labels/<alg>/<hex>}: creation and update times and the
 * labels. A line format with URL-encoded keys and values, because label keys are case-sensitive
 * (Berth's JSON reader rejects case-variant keys) and may hold any character.
 *
 * <pre>
 * berth-blob-info 1
 * created 2026-11-27T18:00:00.123Z
 * updated 2026-11-27T18:00:00.123Z
 * label containerd.io%2Fgc.root 2026-11-27T18%3A00%3A00Z
 * </pre>
 */
final class BlobInfoFile {
    static final String MAGIC = "berth-blob-info 1";
    /** Side files are small; a larger one is damaged or hostile and is ignored. */
    static final int MAX_BYTES = 1 << 20;

    record Contents(Instant createdAt, Instant updatedAt, Map<String, String> labels) {
    }

    private BlobInfoFile() {
    }

    static byte[] encode(Contents c) {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        b.append("created ").append(c.createdAt()).append('\n');
        b.append("updated ").append(c.updatedAt()).append('\n');
        c.labels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append("label ")
                .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append(' ')
                .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes, or empty if the bytes are not a well-formed side file. */
    static Optional<Contents> decode(byte[] bytes) throws IOException {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 3 || !lines[0].equals(MAGIC)) {
            return Optional.empty();
        }
        try {
            Instant created = null;
            Instant updated = null;
            Map<String, String> labels = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(" ", -1);
                switch (f[0]) {
                    case "created" -> created = Instant.parse(f[1]);
                    case "updated" -> updated = Instant.parse(f[1]);
                    case "label" -> labels.put(URLDecoder.decode(f[1], StandardCharsets.UTF_8),
                            URLDecoder.decode(f[2], StandardCharsets.UTF_8));
                    default -> {
                        // Unknown lines come from a newer Berth; ignore them.
                    }
                }
            }
            if (created == null || updated == null) {
                return Optional.empty();
            }
            return Optional.of(new Contents(created, updated, labels));
        } catch (DateTimeParseException | ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
