package dev.berth.cli;

import dev.berth.cli.template.TemplateException;
import dev.berth.plugin.Plugin;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth ls}: the plugins, as {@code docker plugin ls} lists them. */
@Command(name = "ls", aliases = "list", sortOptions = false, mixinStandardHelpOptions = true,
        description = "List plugins.")
final class LsCommand implements Callable<Integer> {
    /** Docker shortens descriptions in the table to this many characters. */
    static final int DESCRIPTION_WIDTH = 45;

    /** Docker's default table. */
    static final String TABLE_FORMAT = "{{.ID}}\\t{{.Name}}\\t{{.Description}}\\t{{.Enabled}}";
    /** Docker's raw format, one block per plugin. */
    static final String RAW_FORMAT = "plugin_id: {{.ID}}\nname: {{.Name}}\ndescription: {{.Description}}\n"
            + "enabled: {{.Enabled}}\n";

    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Only display plugin IDs.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Don't truncate output.")
    boolean noTrunc;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "Filter output: enabled=true|false, capability=CAP (repeatable).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table (default), raw, a Go template such as '{{.Name}}', or 'table' and a template "
                    + "for a table with headers. Unset, the client config's \"pluginsFormat\" applies.")
    String format;

    @Override
    public Integer call() {
        Map<String, List<String>> f = new LinkedHashMap<>();
        for (String kv : filters) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "bad format of filter (expected name=value): " + kv);
            }
            f.computeIfAbsent(kv.substring(0, eq), k -> new ArrayList<>()).add(kv.substring(eq + 1));
        }
        var err = berth.spec.commandLine().getErr();
        try (Session s = new Session(berth)) {
            String chosen = format == null ? "" : format;
            if (chosen.isEmpty()) {
                // as docker plugin ls: the config's pluginsFormat when no --format is given, except with -q
                chosen = ClientConfig.read(s.configDir()).pluginsFormat().filter(x -> !quiet).orElse("table");
            }
            // Docker's NewFormat: the named formats are templates too, and -q turns them into the ID alone
            String source = switch (chosen) {
                case "table" -> quiet ? "{{.ID}}" : "table " + TABLE_FORMAT;
                case "raw" -> quiet ? "plugin_id: {{.ID}}" : RAW_FORMAT;
                default -> chosen;
            };
            boolean tabular = source.startsWith("table");
            String text = tabular ? source.substring("table".length()) : source;
            text = trimSpaces(text).replace("\\t", "\t").replace("\\n", "\n");
            GoTemplate template;
            try {
                template = GoTemplate.parse(text);
            } catch (TemplateException e) {
                err.println("template parsing error: " + e.getMessage());
                return Berth.FAILED;
            }
            List<Plugin> plugins;
            try {
                plugins = new ArrayList<>(s.manager().list(f));
            } catch (dev.berth.exception.InvalidParameterException e) {
                // dockerd's filter errors read "Invalid filter '...'"
                String m = e.getMessage();
                throw new Messages.Verbatim("Error response from daemon: "
                        + (m.startsWith("invalid filter") ? "I" + m.substring(1) : m));
            }
            plugins.sort((a, b) -> NaturalOrder.compare(a.name(), b.name()));
            StringBuilder rendered = new StringBuilder();
            for (Plugin p : plugins) {
                try {
                    rendered.append(template.executeList(GoTemplate.listFields(p, !noTrunc))).append('\n');
                } catch (TemplateException e) {
                    err.println("template parsing error: " + e.getMessage());
                    return Berth.FAILED;
                }
            }
            PrintWriter out = s.out();
            if (tabular) {
                out.print(TabWriter.format(template.executeHeader() + "\n" + rendered));
            } else {
                out.print(rendered);
            }
            out.flush();
        }
        return 0;
    }

    /** Go's {@code strings.Trim(s, " ")}: spaces only, not tabs or newlines. */
    private static String trimSpaces(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == ' ') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == ' ') {
            e--;
        }
        return s.substring(b, e);
    }

    static String ellipsis(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
