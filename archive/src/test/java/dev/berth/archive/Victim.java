package dev.berth.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The attack catalog's victim oracle: {@code base/dest} is the root, {@code base/victim/hello} a sibling
 * and {@code /tmp/<uuid>-victim/hello} an absolute one. {@link #assertUntouched()} checks, whatever the
 * operation's outcome, that both victims kept their single file byte-, mode- and inode-identical and
 * that nothing new appeared next to {@code dest}.
 */
final class Victim implements AutoCloseable {
    static final String CONTENT = "hello, I must stay\n";

    final Path base;
    final Path dest;
    final Path sibling;
    final Path absolute;
    private final Map<Path, Object[]> snapshot;
    private final List<String> baseListing;

    Victim(Path tempDir) {
        try {
            base = tempDir.resolve("base");
            dest = Files.createDirectories(base.resolve("dest"));
            Files.setAttribute(dest, "unix:mode", 0755); // private: not writable by others, whatever the umask
            sibling = Files.createDirectories(base.resolve("victim"));
            absolute = Files.createDirectories(Path.of("/tmp", UUID.randomUUID() + "-victim"));
            Files.writeString(sibling.resolve("hello"), CONTENT);
            Files.writeString(absolute.resolve("hello"), CONTENT);
            snapshot = Map.of(sibling, state(sibling), absolute, state(absolute));
            baseListing = listing(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The absolute victim's path without its leading slash, for names that must land inside dest. */
    String absoluteRelative() {
        return absolute.toString().substring(1);
    }

    void assertUntouched() {
        try {
            assertThat(listing(base)).as("nothing new next to dest").isEqualTo(baseListing);
            for (Map.Entry<Path, Object[]> e : snapshot.entrySet()) {
                assertThat(state(e.getKey())).as("victim %s", e.getKey()).containsExactly(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object[] state(Path dir) throws IOException {
        Path hello = dir.resolve("hello");
        BasicFileAttributes a = Files.readAttributes(hello, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Object[] {
            listing(dir), Files.readString(hello, StandardCharsets.UTF_8),
            Files.getAttribute(hello, "unix:mode", LinkOption.NOFOLLOW_LINKS), a.lastModifiedTime(), a.fileKey(),
            Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS)
        };
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(absolute)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
