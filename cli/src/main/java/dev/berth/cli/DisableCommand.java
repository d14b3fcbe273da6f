package dev.berth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth disable}: stops a plugin. */
@Command(name = "disable", sortOptions = false, mixinStandardHelpOptions = true, description = "Disable a plugin.")
final class DisableCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = {"-f", "--force"}, description = "Force the disable of an active plugin.")
    boolean force;

    @Parameters(index = "0", paramLabel = "NAME", description = "Plugin name or ID.")
    String name;

    @Override
    public Integer call() {
        try (Session s = new Session(berth)) {
            s.manager().disable(name, force);
            s.out().println(name);
        }
        return 0;
    }
}
