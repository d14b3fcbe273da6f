package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.exception.NotFoundException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth rm}: removes plugins, each independently; errors are reported together. */
@Command(name = "rm", aliases = "remove", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Remove one or more plugins.")
final class RmCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = {"-f", "--force"}, description = "Force the removal of an active plugin.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Plugin names or IDs.")
    List<String> names;

    @Override
    public Integer call() {
        int failures = 0;
        var err = berth.spec.commandLine().getErr();
        try (Session s = new Session(berth)) {
            PluginManager manager = s.manager();
            for (String n : names) {
                try {
                    manager.remove(n, force);
                    s.out().println(n);
                } catch (NotFoundException e) {
                    // Docker's client rewords the daemon's not-found answer for rm
                    failures++;
                    err.println(Messages.noSuchPlugin(n));
                } catch (RuntimeException e) {
                    failures++;
                    err.println(Messages.line(e));
                }
            }
        }
        return failures == 0 ? 0 : Berth.FAILED;
    }
}
