package dev.berth.cli;

import dev.berth.internal.gojson.GoJsonWriter;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
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

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), raw, json (a JSON object per line), a Go template such as "
                    + "'{{.Name}}', or 'table' and a template for a table with headers.")
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
        // Docker's formatter: the named formats are templates too, and -q turns them into the ID alone
        String chosen = format.strip();
        boolean custom = chosen.startsWith("table ");
        boolean tabular = custom || !quiet && (chosen.isEmpty() || chosen.equals("table"));
        String text = switch (chosen) {
            case "", "table" -> quiet ? "{{.ID}}" : TABLE_FORMAT;
            case "raw" -> quiet ? "plugin_id: {{.ID}}" : RAW_FORMAT;
            case "json" -> "{{json .}}";
            default -> custom ? chosen.substring("table ".length()) : chosen;
        };
        GoTemplate template;
        try {
            template = GoTemplate.parse(text);
        } catch (GoTemplate.TemplateException e) {
            throw new ParameterException(spec.commandLine(), "template parsing error: " + e.getMessage());
        }
        try (Session s = new Session(berth)) {
            List<Plugin> plugins = s.manager().list(f);
            PrintWriter out = s.out();
            if (tabular) {
                StringBuilder rendered = new StringBuilder(template.execute(HEADERS)).append('\n');
                for (Plugin p : plugins) {
                    rendered.append(template.execute(context(p))).append('\n');
                }
                List<List<String>> rows = new ArrayList<>();
                for (String line : rendered.toString().split("\n")) {
                    rows.add(List.of(line.split("\t", -1)));
                }
                table(out, rows);
            } else {
                for (Plugin p : plugins) {
                    out.println(template.execute(context(p)));
                }
            }
        }
        return 0;
    }

    /** What a table template's header row shows for each field, as Docker's plugin formatter names them. */
    private static final JsonObject HEADERS = Json.parseObject(new GoJsonWriter().beginObject()
            .name("Description").value("DESCRIPTION").name("Enabled").value("ENABLED").name("ID").value("ID")
            .name("Name").value("NAME").name("PluginReference").value("PLUGIN REFERENCE").endObject().toBytes());

    /**
     * The fields a template sees for one plugin, as Docker's plugin formatter gives them (and in the order
     * its {@code json} prints them): the ID and description shortened unless {@code --no-trunc}, line
     * breaks taken out of the description.
     */
    private JsonObject context(Plugin p) {
        String description = p.config().description().replace("\n", "").replace("\r", "");
        return Json.parseObject(new GoJsonWriter().beginObject()
                .name("Description").value(noTrunc ? description : ellipsis(description, DESCRIPTION_WIDTH))
                .name("Enabled").value(p.enabled())
                .name("ID").value(noTrunc ? p.id() : p.id().substring(0, 12))
                .name("Name").value(p.name())
                .name("PluginReference").value(p.pluginReference())
                .endObject().toBytes());
    }

    /**
     * Go's tabwriter as Docker sets it up: cells padded by 3, at least 10 wide; the last cell of a line
     * bare. Rows may have different numbers of cells.
     */
    static void table(PrintWriter out, List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size() - 1; c++) {
                width[c] = Math.max(width[c], Math.max(10, row.get(c).codePointCount(0, row.get(c).length()) + 3));
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                line.append(cell);
                if (c < row.size() - 1) {
                    line.append(" ".repeat(width[c] - cell.codePointCount(0, cell.length())));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String ellipsis(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
