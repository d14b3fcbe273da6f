package dev.berth.store;

import dev.berth.NotFoundException;
import dev.berth.content.IngestLockedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The cross-process half of an ingest's lock: an OS file lock on {@code ingest/<h>/lock}.
 *
 * <p>Commit and abort delete the ingest directory, lock file included, while holding the lock. A
 * process that opened the lock file just before that deletion would then acquire a lock on an unlinked
 * file and believe it owns the ref while a third process locks the new file. To rule that out, the
 * holder writes a random token into the file it locked and reads it back through the path: only if the
 * path still names the locked file does the token come back.
 */
final class IngestLock implements AutoCloseable {
    private static final int ATTEMPTS = 5;

    private final FileChannel channel;
    private final FileLock lock;

    private IngestLock(FileChannel channel, FileLock lock) {
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
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (create) {
                Files.createDirectories(dir);
            } else if (!Files.isDirectory(dir)) {
                throw new NotFoundException("ingest " + ref + " not found");
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                continue; // the directory vanished under us (a commit or abort): start over
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
            if (ownsPath(channel, file)) {
                return new IngestLock(channel, lock);
            }
            lock.release();
            channel.close();
        }
        throw new IngestLockedException(ref, "(its directory kept being replaced while locking)");
    }

    private static boolean ownsPath(FileChannel channel, Path file) throws IOException {
        byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(token), 0);
        try {
            byte[] seen = Files.readAllBytes(file);
            return java.util.Arrays.equals(seen, token);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
