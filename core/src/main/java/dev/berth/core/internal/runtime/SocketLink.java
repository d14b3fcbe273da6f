package dev.berth.core.internal.runtime;

import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.SystemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short host path to a plugin's socket when {@code <exec-root>/<id>/<socket>} is longer than a unix
 * socket address may be (a JUnit {@code @TempDir} exec root is): a private directory
 * {@code <link-root>/berth-<random>/} (0700, so no other user can even look up the link) holding one
 * symbolic link {@code d -> <exec-root>/<id>}. The kernel resolves the link when the host connects, so
 * {@code <link-root>/berth-<random>/d/<socket>} reaches the socket the plugin made in its exec dir.
 *
 * <p>The link points at the exec dir by name, so it survives the exec dir being recreated for a
 * restart. Only the last component, the plugin's socket, is under the plugin's control, and the
 * supervisor still refuses it when it is a symbolic link. The directory's name is random and made with
 * {@code O_EXCL} semantics, so another user cannot plant it in a shared {@code /tmp} beforehand.
 *
 * <p>A plugin whose direct path fits gets no link ({@link #socket} is that path and {@link #close}
 * does nothing). Not thread-safe; the supervisor uses one per plugin under the plugin's lock.
 */
final class SocketLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketLink.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** {@code berth-} and eight random characters: 36^8 names, short enough to leave room for the socket. */
    static final String PREFIX = "berth-";
    private static final int RANDOM_CHARS = 8;
    private static final String LINK = "d";

    private final Path socket;
    private final Optional<Path> dir;

    private SocketLink(Path socket, Optional<Path> dir) {
        this.socket = socket;
        this.dir = dir;
    }

    /**
     * The way to reach {@code execDir/socketName}: directly when that fits {@code maxBytes}, otherwise
     * through a fresh link directory under {@code linkRoot}.
     *
     * @throws InvalidParameterException if even the link path would be too long
     * @throws SystemException           if the link directory cannot be made
     */
    static SocketLink to(Path execDir, String socketName, Path linkRoot, int maxBytes) {
        Objects.requireNonNull(execDir, "execDir");
        Objects.requireNonNull(socketName, "socketName");
        Objects.requireNonNull(linkRoot, "linkRoot");
        Path direct = execDir.toAbsolutePath().resolve(socketName);
        if (bytes(direct) <= maxBytes) {
            return new SocketLink(direct, Optional.empty());
        }
        Path root = linkRoot.toAbsolutePath();
        Path sample = root.resolve(PREFIX + "x".repeat(RANDOM_CHARS)).resolve(LINK).resolve(socketName);
        if (bytes(sample) > maxBytes) {
            throw new InvalidParameterException("plugin socket path " + direct + " is " + bytes(direct)
                    + " bytes, and even its short link " + sample + " is " + bytes(sample) + ", longer than the "
                    + maxBytes + " a unix socket allows");
        }
        try {
            Files.createDirectories(root);
            for (int attempt = 0; ; attempt++) {
                Path dir = root.resolve(PREFIX + randomName());
                try {
                    createPrivateDir(dir);
                } catch (FileAlreadyExistsException taken) {
                    if (attempt < 16) {
                        continue;
                    }
                    throw taken;
                }
                try {
                    Files.createSymbolicLink(dir.resolve(LINK), execDir.toAbsolutePath());
                } catch (IOException | RuntimeException ex) {
                    Files.deleteIfExists(dir);
                    throw ex;
                }
                return new SocketLink(dir.resolve(LINK).resolve(socketName), Optional.of(dir));
            }
        } catch (IOException ex) {
            throw new SystemException("cannot make a short link to the socket dir " + execDir + " under " + root
                    + ": " + ex.getMessage(), ex);
        }
    }

    /** The host path to dial: the direct path, or the one through the link. */
    Path socket() {
        return socket;
    }

    /** The link directory, if the direct path was too long. */
    Optional<Path> dir() {
        return dir;
    }

    /** Removes the link and its directory (never what the link points at). Idempotent, never throws. */
    @Override
    public void close() {
        if (dir.isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(dir.get().resolve(LINK));
            Files.deleteIfExists(dir.get());
        } catch (IOException ex) {
            LOG.warn("could not remove the socket link directory {}", dir.get(), ex);
        }
    }

    private static int bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static String randomName() {
        StringBuilder sb = new StringBuilder(RANDOM_CHARS);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not the directory just made");
        }
    }
}
