package dev.berth.cli;

import dev.berth.exception.NotFoundException;
import dev.berth.PluginManager;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.PluginJson;
import dev.berth.plugin.Plugin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth inspect}: the JSON array {@code docker plugin inspect} prints, indented the same way. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Display detailed information on one or more plugins, as docker plugin inspect does.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Plugin names or IDs.")
    List<String> names;

    @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
            description = "Format the output with a Go template, e.g. '{{.Enabled}}' or '{{json .Settings}}'.")
    String format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        GoTemplate template = null;
        if (format != null && !format.isBlank()) {
            try {
                template = GoTemplate.parse(format);
            } catch (GoTemplate.TemplateException e) {
                throw new ParameterException(spec.commandLine(), "template parsing error: " + e.getMessage());
            }
        }
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
            if (template == null) {
                s.out().println(render(found));
            } else {
                // one line per plugin found, over the same document the plain output shows
                List<?> documents = (List<?>) Json.parse(PluginJson.encodePlugins(found).getBytes(StandardCharsets.UTF_8),
                        Integer.MAX_VALUE);
                for (Object d : documents) {
                    try {
                        s.out().println(template.execute(d));
                    } catch (GoTemplate.TemplateException e) {
                        errors.add("Error: " + e.getMessage());
                        break;
                    }
                }
            }
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
