package dev.berth.archive.internal;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves paths inside a root the way a process chrooted into it would (attack catalog P2): an
 * existing symlink is followed with its absolute targets taken relative to the root, {@code ".."}
 * clamps at the root, and a loop fails. The result names no symlink in any component that exists,
 * so using it with no-follow operations cannot leave the root.
 *
 * <p>This is a check-then-use design: it is safe only because the root is private to the caller while
 * a layer is applied (the catalog's TAR-63 mitigation). Java has no {@code openat2(RESOLVE_IN_ROOT)}.
 */
public final class RootResolver {
    /** Linux's MAXSYMLINKS. */
    static final int MAX_LINKS = 40;

    private final Path root;
    /**
     * Relative paths known to be real directories (not symlinks), so deep trees cost one lookup per
     * component instead of a system call walking the whole path each time. Cleared whenever anything
     * in the root is removed, the only way a known directory can stop being one.
     */
    private final Set<String> knownDirectories = new HashSet<>();

    /** @param root the real path of the root directory */
    public RootResolver(Path root) {
        this.root = root;
    }

    /** The root this resolver confines to. */
    public Path root() {
        return root;
    }

    /**
     * Resolves every component of {@code parts}, following symlinks chroot-style.
     *
     * @return the resolved components, relative to the root; components past the first missing one
     *         are taken literally
     * @throws NotDirectoryException   if a component that must be a directory is an existing non-directory
     * @throws FileSystemLoopException if more than {@value #MAX_LINKS} links are followed
     */
    public List<String> resolve(List<String> parts) throws IOException {
        Deque<String> todo = new ArrayDeque<>(parts);
        List<String> done = new ArrayList<>();
        int links = 0;
        boolean missing = false;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                // ".." after a missing component is lexical; the directories it names will be created.
                continue;
            }
            if (missing) {
                done.add(part);
                continue;
            }
            String key = done.isEmpty() ? part : Names.join(done) + "/" + part;
            if (knownDirectories.contains(key)) {
                done.add(part);
                continue;
            }
            Path candidate = path(done).resolve(part);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing = true;
                done.add(part);
                continue;
            }
            if (attributes.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new FileSystemLoopException(Names.join(parts));
                }
                // The file system's own parse of the target, not a split on '/': on Windows a target reads
                // back with backslash separators, and "../../x" taken as one component would climb out.
                Path target = Files.readSymbolicLink(candidate);
                if (target.getRoot() != null) {
                    done.clear();
                }
                // Iterate, don't normalize: "a/.." must be resolved physically, as the kernel would.
                List<String> targetParts = new ArrayList<>(target.getNameCount());
                for (Path name : target) {
                    targetParts.add(name.toString());
                }
                for (int i = targetParts.size() - 1; i >= 0; i--) {
                    todo.addFirst(targetParts.get(i));
                }
            } else if (attributes.isDirectory()) {
                knownDirectories.add(key);
                done.add(part);
            } else if (todo.isEmpty()) {
                done.add(part);
            } else {
                throw new NotDirectoryException(Names.join(parts));
            }
        }
        return done;
    }

    /**
     * Resolves the parent components chroot-style and appends the last one unresolved, so the final
     * component can be replaced rather than followed (P5).
     */
    public List<String> resolveParent(List<String> parts) throws IOException {
        List<String> parent = resolve(parts.subList(0, parts.size() - 1));
        List<String> out = new ArrayList<>(parent.size() + 1);
        out.addAll(parent);
        out.add(parts.get(parts.size() - 1));
        return out;
    }

    /** Whether the resolved relative path is known to be a real directory. */
    public boolean isKnownDirectory(List<String> resolved) {
        return knownDirectories.contains(Names.join(resolved));
    }

    /** Records a directory the caller just created. */
    public void rememberDirectory(List<String> resolved) {
        knownDirectories.add(Names.join(resolved));
    }

    /** Forgets every known directory: call after removing anything in the root. */
    public void forget() {
        knownDirectories.clear();
    }

    /** The path of resolved components under the root. */
    public Path path(List<String> resolved) {
        Path p = root;
        for (String part : resolved) {
            p = p.resolve(part);
        }
        return p;
    }
}
