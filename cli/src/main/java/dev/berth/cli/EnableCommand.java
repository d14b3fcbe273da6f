package dev.berth.cli;

import dev.berth.PluginManager;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth enable}: runs a plugin and waits for its socket. */
@Command(name = "enable", sortOptions = false, mixinStandardHelpOptions = true, description = "Enable a plugin.")
final class EnableCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = "--timeout", paramLabel = "N", defaultValue = "30",
            description = "Seconds to wait for the plugin's socket (default ${DEFAULT-VALUE}).")
    int timeout;

    @Parameters(index = "0", paramLabel = "NAME", description = "Plugin name or ID.")
    String name;

    @Override
    public Integer call() {
        if (timeout < 0) {
            throw new Berth.OperationFailed("negative timeout " + timeout + " is invalid");
        }
        try (Session s = new Session(berth)) {
            PluginManager manager = s.manager();
            manager.inspect(name);
            if (s.runtimeProblem().isPresent()) {
                throw new Berth.OperationFailed("cannot enable plugin " + name + ": " + s.runtimeProblem().get());
            }
            manager.enable(name, Duration.ofSeconds(timeout));
            s.out().println(name);
        }
        return 0;
    }
}
