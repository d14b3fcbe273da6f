package dev.berth.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth create NAME DIR}: a plugin from a directory holding {@code config.json} and {@code rootfs/}. */
@Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Create a plugin from a directory holding config.json and rootfs/.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Parameters(index = "0", paramLabel = "NAME", description = "The plugin's name, e.g. localhost:5000/acme/volume:1.0.")
    String name;

    @Parameters(index = "1", paramLabel = "DIR", description = "The context directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new Berth.OperationFailed("context must be a directory: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new Berth.OperationFailed("the context " + dir + " has no config.json");
        }
        try (Session s = new Session(berth).withoutProgress()) {
            var manager = s.manager();
            Path tar = Files.createTempFile("berth-context-", ".tar");
            try {
                ContextTar.write(dir, tar);
                try (InputStream in = Files.newInputStream(tar)) {
                    manager.create(name, in);
                }
            } finally {
                Files.deleteIfExists(tar);
            }
            s.out().println(name);
        }
        return 0;
    }
}
