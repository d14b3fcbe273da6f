package dev.berth.store;

import dev.berth.content.IngestLockedException;
import dev.berth.exception.NotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cross-process half of an ingest's lock: an OS file lock on {@code ingest/<h>/lock}.
 *
 * <p>Two traps of OS file locks shape this class:
 * <ul>
 *   <li>On Linux the JDK takes POSIX record locks, which belong to the process and are dropped when the
 *       process closes <em>any</em> descriptor of the file. So within one JVM, nothing may open a lock
 *       file while a lock on it is held. {@link #HELD} records the lock files held in this JVM and is
 *       checked before opening one. It is static on purpose: the OS lock it guards is per process too.</li>
 *   <li>Commit and abort delete the ingest directory, lock file included, while holding the lock. A
 *       process that opened the lock file just before that deletion would then lock an unlinked file
 *       and believe it owns the ref. So after locking, the holder checks that the path still names the
 *       file it opened, by comparing the file key (device and inode) read before opening and after
 *       locking. While the descriptor is open the inode cannot be reused, so equal keys prove it.</li>
 * </ul>
 */
final class IngestLock implements AutoCloseable {
    private static final int ATTEMPTS = 5;
    /** Lock files held by this JVM, by absolute normalized path (see the class comment). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private IngestLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the ingest directory {@code dir}, creating it if {@code create}.
     *
     * @throws IngestLockedException if another process or another store instance holds it
     * @throws NotFoundException     if the directory does not exist and {@code create} is false
     */
    static IngestLock acquire(Path dir, String ref, boolean create) throws IOException {
        Path file = dir.resolve(FileContentStore.LOCK);
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            throw new IngestLockedException(ref, "by another store instance in this process");
        }
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                if (create) {
                    Files.createDirectories(dir);
                } else if (!Files.isDirectory(dir)) {
                    throw new NotFoundException("ingest " + ref + " not found");
                }
                try {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // someone else's or a previous lock file: fine, it is only a lock
                } catch (NoSuchFileException e) {
                    continue; // the directory vanished under us (a commit or abort): start over
                }
                Optional<Object> before = fileKey(file);
                FileChannel channel;
                try {
                    channel = FileChannel.open(file, StandardOpenOption.WRITE);
                } catch (NoSuchFileException e) {
                    continue;
                }
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    channel.close();
                    throw new IngestLockedException(ref, "by another store instance in this process");
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                if (lock == null) {
                    channel.close();
                    throw new IngestLockedException(ref, "by another process");
                }
                Optional<Object> after = fileKey(file);
                if (before.isPresent() && after.isPresent() && before.equals(after)
                        || before.isEmpty() && Files.exists(file)) {
                    return new IngestLock(key, channel, lock);
                }
                lock.release();
                channel.close();
            }
            throw new IngestLockedException(ref, "(its directory kept being replaced while locking)");
        } catch (IOException | RuntimeException | Error e) {
            HELD.remove(key);
            throw e;
        }
    }

    /** The file's key, empty if it is gone; a file system without keys yields empty too. */
    private static Optional<Object> fileKey(Path file) throws IOException {
        try {
            Object k = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return Optional.ofNullable(k);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            try {
                channel.close();
            } finally {
                HELD.remove(Objects.requireNonNull(key));
            }
        }
    }
}
