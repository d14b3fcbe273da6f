package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.cli.template.TemplateException;
import dev.berth.exception.NotFoundException;
import dev.berth.json.DockerJson;
import dev.berth.plugin.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    /** Docker's exit status when the format is not a template (cli/command/inspect). */
    static final int BAD_TEMPLATE = 64;

    @Override
    public Integer call() {
        var err = berth.spec.commandLine().getErr();
        GoTemplate template = null;
        if (format != null && !format.isEmpty()) {
            try {
                template = GoTemplate.parse(format);
            } catch (TemplateException e) {
                err.println("template parsing error: " + e.getMessage());
                return BAD_TEMPLATE;
            }
        }
        List<Plugin> found = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (Session s = new Session(berth)) {
            PluginManager manager = s.manager();
            StringBuilder rendered = new StringBuilder();
            for (String n : names) {
                Plugin p;
                try {
                    p = manager.inspect(n);
                } catch (NotFoundException e) {
                    errors.add(Messages.noSuchPlugin(n));
                    continue;
                }
                found.add(p);
                if (template != null) {
                    // Docker's template inspector: one line per plugin; a failed one is reported and skipped
                    try {
                        rendered.append(template.executeInspect(p)).append('\n');
                    } catch (TemplateException e) {
                        errors.add("template parsing error: " + e.getMessage());
                    }
                }
            }
            if (template == null) {
                s.out().println(render(found));
            } else {
                // an inspector with nothing to show still prints an empty line
                s.out().print(rendered.length() == 0 ? "\n" : rendered);
                s.out().flush();
            }
        }
        errors.forEach(err::println);
        return errors.isEmpty() ? 0 : Berth.FAILED;
    }

    /** The inspect document: the Engine API objects in an array, indented by four spaces. */
    static String render(List<Plugin> plugins) {
        return JsonIndent.indent(DockerJson.plugins(plugins), "    ");
    }
}
