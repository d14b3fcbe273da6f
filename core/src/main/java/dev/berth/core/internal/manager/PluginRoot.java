package dev.berth.core.internal.manager;

import dev.berth.core.internal.mount.HostMounts;
import dev.berth.exception.SystemException;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin root on disk, laid out as Docker lays it out: {@code <root>/<id>/config.json} (the
 * record), {@code <root>/<id>/rootfs/}, {@code <root>/tmp/} (scratch) and {@code <root>/storage/} (the
 * content store, opened by the caller). Records are written atomically: temp file in the same
 * directory, fsync, rename, mode 0600, then the directory is synced.
 *
 * <p>Thread-safe for distinct plugins; the manager serializes work on one plugin.
 */
public final class PluginRoot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRoot.class);
    private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern REMOVING = Pattern.compile("[a-f0-9]{64}-removing");
    private static final String RECORD = "config.json";
    /** How the temporary files of {@link #writeAtomically} begin. */
    private static final String TEMP_PREFIX = ".tmp-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Path tmp;
    private final boolean readOnly;
    private static final long LOCK_POLL_MILLIS = 50;

    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    private PluginRoot(Path root, boolean readOnly) {
        this.root = root;
        this.tmp = root.resolve("tmp");
        this.readOnly = readOnly;
    }

    /** A record that could not be loaded: its directory is left in place. */
    public record Problem(Path path, String message) {
    }

    /** What {@link #load} found. */
    public record Loaded(List<PluginRecord> records, List<Problem> problems) {
    }

    /**
     * Opens a root, creating {@code root} and {@code root/tmp} (mode 0700) unless read-only.
     *
     * @throws SystemException if the directories cannot be created
     */
    public static PluginRoot open(Path root, boolean readOnly) {
        return open(root, readOnly, Duration.ZERO);
    }

    /**
     * Opens a root as {@link #open(Path, boolean)} does, waiting up to {@code lockWait} while another
     * manager (in this or another process) holds it.
     *
     * @throws dev.berth.exception.ConflictException when the root is still held after the wait, naming
     *                                               the holder's process ID
     */
    public static PluginRoot open(Path root, boolean readOnly, Duration lockWait) {
        PluginRoot r = new PluginRoot(root, readOnly);
        if (!readOnly) {
            try {
                mkdirPrivate(root);
                mkdirPrivate(r.tmp);
            } catch (IOException e) {
                throw new SystemException("failed to mkdir " + root + ": " + e.getMessage(), e);
            }
            r.lock(lockWait);
        } else if (!Files.isDirectory(root)) {
            throw new SystemException("failed to read " + root + ": not a directory");
        }
        return r;
    }

    /**
     * Takes the root's lock file, so that a second manager on the same root (in this or another
     * process) does not race the first: it waits up to {@code wait}, then fails naming the holder. The
     * holder writes its process ID into the file for that message.
     */
    private void lock(Duration wait) {
        Path file = root.resolve(".berth.lock");
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            lockChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            while ((lock = tryLock()) == null) {
                if (System.nanoTime() - deadline >= 0) {
                    String holder = holder();
                    closeQuietly();
                    throw new dev.berth.exception.ConflictException("the plugin root " + root
                            + " is in use by another plugin manager" + holder
                            + (wait.isZero() ? "" : " (waited " + wait.toMillis() + " ms)"));
                }
                Thread.sleep(LOCK_POLL_MILLIS);
            }
            lockChannel.truncate(0);
            lockChannel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (UnsupportedOperationException e) {
            lock = null; // a file system without locks: nothing to exclude with
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly();
            throw new dev.berth.exception.CancelledException("interrupted waiting for the lock of the plugin root " + root);
        } catch (IOException e) {
            closeQuietly();
            throw new SystemException("cannot lock the plugin root " + root + ": " + e.getMessage(), e);
        }
    }

    private java.nio.channels.FileLock tryLock() throws IOException {
        try {
            return lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null; // another manager of this JVM holds it
        }
    }

    /** {@code " (process 1234)"} from the lock file, or empty when it names none. */
    private String holder() {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            lockChannel.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,19}") ? " (process " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private void closeQuietly() {
        try {
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debug("closing the lock of {}: {}", root, e.toString());
        }
        lockChannel = null;
    }

    /** Releases the root's lock. Idempotent. */
    @Override
    public void close() {
        closeQuietly();
        lock = null;
    }

    /**
     * Whether this manager holds the root's lock file exclusively (false when read-only or on a file
     * system without locks): then no other writable manager of the root runs, in this process or another.
     */
    public boolean exclusive() {
        return lock != null;
    }

    /** The root directory. */
    public Path path() {
        return root;
    }

    /** {@code <root>/<id>}. */
    public Path pluginDir(String id) {
        return root.resolve(id);
    }

    /** {@code <root>/<id>/rootfs}. */
    public Path rootfs(String id) {
        return pluginDir(id).resolve("rootfs");
    }

    /**
     * Reloads every record. Leftovers of interrupted work are removed (unless read-only):
     * {@code <id>-removing} directories (Docker resolves them against its working directory and so
     * never removes them), everything under {@code tmp/}, the temporary files of interrupted record saves
     * ({@code <id>/.tmp-*}) and interrupted upgrades (rolled back or finished). A record that cannot be read is reported,
     * not deleted.
     */
    public Loaded load() {
        List<PluginRecord> records = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (REMOVING.matcher(name).matches()) {
                    if (!readOnly) {
                        LOG.info("removing leftover of an interrupted removal: {}", entry);
                        deleteRecursively(entry);
                    }
                } else if (ID.matcher(name).matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    loadOne(entry, name, records, problems);
                }
            }
        } catch (IOException e) {
            throw new SystemException("failed to read " + root + ": " + e.getMessage(), e);
        }
        if (!readOnly) {
            cleanTmp();
        }
        return new Loaded(List.copyOf(records), List.copyOf(problems));
    }

    private void loadOne(Path dir, String id, List<PluginRecord> records, List<Problem> problems) {
        if (!readOnly) {
            recoverUpgrade(dir);
            removeTemporaryRecords(dir);
        }
        Path file = dir.resolve(RECORD);
        try {
            byte[] bytes = Files.readAllBytes(file);
            PluginRecord record = PluginJson.decodeRecord(bytes);
            if (!record.plugin().id().equals(id)) {
                problems.add(new Problem(file, "record ID " + record.plugin().id() + " does not match its directory"));
                return;
            }
            records.add(record);
        } catch (NoSuchFileException e) {
            problems.add(new Problem(file, "missing plugin config, skipping: this may be caused due to a failed"
                    + " remove and requires manual cleanup."));
        } catch (IOException e) {
            problems.add(new Problem(file, "error reading " + file + ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(file, "error decoding " + file + ": " + e.getMessage()));
        }
    }

    /**
     * Deletes the temporary files of saves a crash interrupted ({@link #writeAtomically}'s
     * {@code .tmp-<name><random>}): the rename that would have made one the record never happened, so
     * the record is the previous one and the temporary file is garbage.
     */
    private static void removeTemporaryRecords(Path dir) {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path temp : temps) {
                if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.info("removing the temporary record of an interrupted save: {}", temp);
                    Files.deleteIfExists(temp);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean the temporary records in {}: {}", dir, e.toString());
        }
    }

    /** The record of an upgrade in progress: its presence means the upgrade has not committed. */
    private static final String PENDING = "upgrade.json";
    private static final String OLD_ROOTFS = "rootfs-old";

    /**
     * Swaps in an upgrade so that a crash at any point is undone or completed at the next load:
     * the new record is written as {@code upgrade.json}; {@code rootfs} moves to {@code rootfs-old}
     * and the new rootfs takes its place; renaming {@code upgrade.json} over {@code config.json} is
     * the commit; then {@code rootfs-old} goes. On failure before the commit the old state is put
     * back.
     *
     * @param newRootfs a complete rootfs on the same file system
     */
    public void upgrade(String id, Path newRootfs, PluginRecord updated) {
        requireWritable();
        Path dir = pluginDir(id);
        Path rootfs = dir.resolve("rootfs");
        Path old = dir.resolve(OLD_ROOTFS);
        Path pending = dir.resolve(PENDING);
        HostMounts.unmountAll(rootfs);
        deleteRecursively(old);
        writeAtomically(dir, PENDING, PluginJson.encodeRecord(updated));
        KillPoint.reach("upgrade.pending-saved");
        boolean moved = false;
        try {
            move(rootfs, old);
            moved = true;
            KillPoint.reach("upgrade.old-moved");
            move(newRootfs, rootfs);
            KillPoint.reach("upgrade.new-moved");
            move(pending, dir.resolve(RECORD));
            syncDirectory(dir);
            KillPoint.reach("upgrade.committed");
        } catch (IOException | RuntimeException e) {
            try {
                if (moved) {
                    if (Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS)) {
                        move(rootfs, newRootfs);
                    }
                    move(old, rootfs);
                }
                Files.deleteIfExists(pending);
            } catch (IOException | RuntimeException restore) {
                e.addSuppressed(restore);
            }
            throw new SystemException("error upgrading plugin " + id + ": " + e.getMessage(), e);
        }
        try {
            deleteRecursively(old);
        } catch (UncheckedIOException e) {
            LOG.warn("cannot delete the old rootfs of {}: {}", id, e.toString());
        }
        KillPoint.reach("upgrade.old-deleted");
    }

    /** Completes or undoes an upgrade a crash interrupted (see {@link #upgrade}). */
    private static void recoverUpgrade(Path dir) {
        Path rootfs = dir.resolve("rootfs");
        Path old = dir.resolve(OLD_ROOTFS);
        Path pending = dir.resolve(PENDING);
        try {
            if (Files.exists(pending, LinkOption.NOFOLLOW_LINKS)) {
                LOG.info("rolling back an interrupted upgrade in {}", dir);
                if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
                    deleteRecursively(rootfs);
                    move(old, rootfs);
                }
                Files.delete(pending);
            } else if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
                LOG.info("finishing an interrupted upgrade in {}", dir);
                deleteRecursively(old);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot recover the interrupted upgrade in {}: {}", dir, e.toString());
        }
    }

    private void cleanTmp() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                LOG.info("removing leftover temporary directory {}", entry);
                deleteRecursively(entry);
            }
        } catch (NoSuchFileException e) {
            // nothing to clean
        } catch (IOException e) {
            LOG.warn("cannot clean {}: {}", tmp, e.toString());
        }
    }

    /**
     * Writes a record atomically to {@code <root>/<id>/config.json} (the directory must exist).
     *
     * @throws SystemException on an I/O failure; the previous record is then unchanged
     */
    public void save(PluginRecord record) {
        save(pluginDir(record.plugin().id()), record);
    }

    /** Writes a record atomically into {@code dir/config.json}. */
    public void save(Path dir, PluginRecord record) {
        requireWritable();
        writeAtomically(dir, RECORD, PluginJson.encodeRecord(record));
    }

    /** Temp file in the same directory, fsync, mode 0600, rename over {@code name}, directory sync. */
    private static void writeAtomically(Path dir, String name, byte[] bytes) {
        Path temp = dir.resolve(TEMP_PREFIX + name + randomSuffix());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            setMode(temp, "rw-------");
            KillPoint.reach("record.temp-written");
            move(temp, dir.resolve(name));
            syncDirectory(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new SystemException("error saving plugin config " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** A new empty directory {@code <root>/tmp/<prefix><random>}. */
    public Path newTempDir(String prefix) {
        requireWritable();
        for (int i = 0; ; i++) {
            Path dir = tmp.resolve(prefix + randomSuffix());
            try {
                mkdirPrivate(tmp);
                Files.createDirectory(dir);
                setMode(dir, "rwx------");
                return dir;
            } catch (FileAlreadyExistsException e) {
                if (i > 10) {
                    throw new SystemException("failed to create temp directory in " + tmp, e);
                }
            } catch (IOException e) {
                throw new SystemException("failed to create temp directory in " + tmp + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Publishes a fully built plugin directory as {@code <root>/<id>} with one rename, so a plugin is
     * either completely on disk or not at all.
     */
    public void promote(Path builtDir, String id) {
        requireWritable();
        Path target = pluginDir(id);
        try {
            move(builtDir, target);
            syncDirectory(root);
        } catch (IOException e) {
            throw new SystemException("failed to move plugin " + id + " into place: " + e.getMessage(), e);
        }
    }

    /**
     * Removes a directory so that an interruption never leaves a half-deleted plugin under its own
     * name: rename to {@code <dir>-removing} (clearing a stale one first), then delete recursively.
     * A missing directory is a success.
     */
    public void atomicRemove(Path dir) {
        requireWritable();
        Path removing = dir.resolveSibling(dir.getFileName() + "-removing");
        // Never delete through a mount (a propagated mount may hold a volume's data); the renamed
        // directory could not be matched against the mount table any more.
        HostMounts.unmountAll(dir);
        HostMounts.unmountAll(removing);
        try {
            if (Files.exists(removing, LinkOption.NOFOLLOW_LINKS)) {
                deleteRecursively(removing);
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                move(dir, removing);
                syncDirectory(dir.getParent());
                KillPoint.reach("remove.renamed");
            }
        } catch (IOException e) {
            throw new SystemException("failed to rename dir for atomic removal: " + e.getMessage(), e);
        }
        deleteRecursively(removing);
    }

    /** Deletes a tree without following symbolic links. Missing files are ignored. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    // A directory without write or execute permission (possible in a hostile layer)
                    // would stop the delete: open it up first.
                    setMode(d, "rwx------");
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private void requireWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("the plugin root " + root + " was opened read-only");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + from + " atomically", e);
        }
    }

    private static void mkdirPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            setMode(dir, "rwx------");
        }
    }

    static void setMode(Path path, String mode) {
        try {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException | IOException e) {
            // File systems without POSIX permissions keep their defaults.
        }
    }

    private static void syncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system can open a directory for syncing; the rename is still atomic.
        }
    }

    private static String randomSuffix() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Whether the plugin's directory exists. */
    public boolean exists(Plugin plugin) {
        return Files.isDirectory(pluginDir(plugin.id()), LinkOption.NOFOLLOW_LINKS);
    }
}
