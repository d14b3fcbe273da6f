package dev.berth.cli;

import dev.berth.NotFoundException;
import dev.berth.PluginManager;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth inspect}: the JSON array {@code docker plugin inspect} prints, indented the same way. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Display detailed information on one or more plugins, as docker plugin inspect does.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Plugin names or IDs.")
    List<String> names;

    @Override
    public Integer call() {
        List<Plugin> found = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (Session s = new Session(berth)) {
            PluginManager manager = s.manager();
            for (String n : names) {
                try {
                    found.add(manager.inspect(n));
                } catch (NotFoundException e) {
                    errors.add("Error: No such plugin: " + n);
                }
            }
            s.out().println(render(found));
        }
        var err = berth.spec.commandLine().getErr();
        errors.forEach(err::println);
        return errors.isEmpty() ? 0 : Berth.FAILED;
    }

    /** The inspect document: the Engine API objects in an array, indented by four spaces. */
    static String render(List<Plugin> plugins) {
        return JsonIndent.indent(PluginJson.encodePlugins(plugins), "    ");
    }
}
