package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.PushedPlugin;
import dev.berth.registry.layout.OciArchiveWriter;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code berth save}: plugins into one OCI archive (the tar skopeo and containerd call {@code oci-archive}),
 * as {@code docker save} does for images. A file is written beside its final name and renamed into place,
 * so a failed save leaves no partial archive; standard output gets the tar as it is written.
 */
@Command(name = "save", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Save plugins to an OCI archive (tar), byte for byte as installed.",
                "Each plugin is an index.json entry named by its tag (org.opencontainers.image.ref.name) and its "
                        + "full name (io.containerd.image.name): skopeo reads it as oci-archive:FILE:TAG, "
                        + "berth load and berth install oci-archive:FILE[:TAG] install from it.",
                "Without -o, or with -o -, the archive goes to standard output (never to a terminal)."})
final class SaveCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to a file instead of standard output.")
    String output;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "PLUGIN", description = "Plugins to save (name or ID).")
    List<String> names;

    @Override
    public Integer call() {
        boolean stdout = output == null || output.equals("-");
        if (stdout && berth.terminal.interactive()) {
            // docker save's refusal: a tar on a terminal helps nobody
            throw new Berth.OperationFailed("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        try (Session s = new Session(berth)) {
            if (stdout) {
                s.withoutProgress(); // progress lines would land in the tar
            }
            PluginManager manager = s.manager();
            if (stdout) {
                OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
                write(manager, out);
                flush(out);
                return 0;
            }
            Path target = Path.of(output).toAbsolutePath();
            Path dir = target.getParent();
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                List<PushedPlugin> saved;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    saved = write(manager, out);
                }
                readableByAll(tmp);
                move(tmp, target);
                s.finishProgress();
                for (PushedPlugin p : saved) {
                    s.status("Saved " + p.reference() + " (" + p.digest() + ")");
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output, e);
        }
        return 0;
    }

    private List<PushedPlugin> write(PluginManager manager, OutputStream out) {
        OciArchiveWriter writer = OciArchiveWriter.to(out);
        List<PushedPlugin> saved = manager.export(names, writer);
        writer.finish();
        return saved;
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to standard output", e);
        }
    }

    /** rw-r--r--, as docker save -o leaves its file under the usual umask (a temp file starts at rw-------). */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
