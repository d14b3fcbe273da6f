package dev.berth.manager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every path under a directory with its type and content, for asserting that a failed operation left
 * the plugin root exactly as it was.
 */
record RootSnapshot(Map<String, String> entries) {
    /**
     * This snapshot without the event journal: for checks after operations that succeeded and were undone
     * (an install whose enable failed), which the journal records as history.
     */
    RootSnapshot withoutJournal() {
        Map<String, String> copy = new TreeMap<>(entries);
        copy.remove("berth-events.jsonl");
        return new RootSnapshot(copy);
    }

    static RootSnapshot of(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir");
                } else {
                    out.put(rel, "file:" + Arrays.hashCode(Files.readAllBytes(p)) + ":" + Files.size(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RootSnapshot(out);
    }
}
