package dev.berth.cli;

import dev.berth.internal.json.PluginJson;
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

    enum Format { table, json }

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
            description = "table (default) or json (the Engine API's list).")
    Format format;

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
        try (Session s = new Session(berth)) {
            List<Plugin> plugins = s.manager().list(f);
            PrintWriter out = s.out();
            if (quiet) {
                plugins.forEach(p -> out.println(noTrunc ? p.id() : p.id().substring(0, 12)));
            } else if (format == Format.json) {
                out.println(PluginJson.encodePlugins(plugins));
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("ID", "NAME", "DESCRIPTION", "ENABLED"));
                for (Plugin p : plugins) {
                    rows.add(List.of(noTrunc ? p.id() : p.id().substring(0, 12), p.name(),
                            noTrunc ? p.config().description() : ellipsis(p.config().description(), DESCRIPTION_WIDTH),
                            String.valueOf(p.enabled())));
                }
                table(out, rows);
            }
        }
        return 0;
    }

    /** Go's tabwriter as Docker sets it up: cells padded by 3, at least 10 wide; the last column bare. */
    static void table(PrintWriter out, List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                width[c] = Math.max(width[c], Math.max(10, row.get(c).codePointCount(0, row.get(c).length()) + 3));
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                line.append(cell);
                if (c < columns - 1) {
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
