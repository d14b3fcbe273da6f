package dev.berth.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth set}: changes settable env, args, mounts and devices of a disabled plugin. */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Change settings for a plugin.",
                "KEY is an env name, args, or a mount or device name with .source or .path."})
final class SetCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Parameters(index = "0", paramLabel = "NAME", description = "Plugin name or ID.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE", description = "Settings.")
    List<String> settings;

    @Override
    public Integer call() {
        try (Session s = new Session(berth)) {
            s.manager().set(name, settings);
        }
        return 0;
    }
}
