package dev.berth.cli;

import dev.berth.json.DockerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code berth} reads from the Docker client's {@code config.json} besides credentials (which the
 * registry module reads from the same file): the settings {@code docker plugin} honours.
 *
 * @param pluginsFormat the {@code "pluginsFormat"} that {@code ls} uses when no {@code --format} is given
 */
record ClientConfig(Optional<String> pluginsFormat) {
    static final ClientConfig EMPTY = new ClientConfig(Optional.empty());

    /**
     * Reads {@code DIR/config.json}. A missing or unreadable file is an empty config: Docker warns and
     * goes on with its defaults, and a listing should not fail over its formatting.
     */
    static ClientConfig read(Path dir) {
        String text;
        try {
            text = Files.readString(dir.resolve("config.json"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            return EMPTY;
        }
        Object doc;
        try {
            doc = DockerJson.parse(text);
        } catch (IllegalArgumentException e) {
            return EMPTY;
        }
        if (!(doc instanceof Map<?, ?> m)) {
            return EMPTY;
        }
        // Go's decoder matches the field's JSON name without regard to case
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if ("pluginsFormat".equalsIgnoreCase((String) e.getKey()) && e.getValue() instanceof String s && !s.isEmpty()) {
                return new ClientConfig(Optional.of(s));
            }
        }
        return EMPTY;
    }
}
