package dev.berth.benchmarks.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The harness's samples and what it prints from them: a Markdown table of medians and ratios, and a
 * hand-written SVG bar chart of the medians. Rows keep the order they were first recorded in.
 */
final class Report {
    /** The columns, in print order. */
    enum Tool {
        BERTH_CLI("Berth CLI"),
        BERTH_IN_PROCESS("Berth in-process"),
        DOCKER("docker plugin"),
        FLOOR("floor");

        final String label;

        Tool(String label) {
            this.label = label;
        }
    }

    private static final String[] COLOURS = {"#1f77b4", "#2ca02c", "#d62728", "#7f7f7f"};

    private final Map<String, Map<Tool, List<Double>>> samples = new LinkedHashMap<>();

    /** Records one wall-clock time in seconds; NaN records a failed run. */
    void add(String row, Tool tool, double seconds) {
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(tool, "tool");
        samples.computeIfAbsent(row, k -> new LinkedHashMap<>()).computeIfAbsent(tool, k -> new ArrayList<>()).add(seconds);
    }

    List<String> rows() {
        return List.copyOf(samples.keySet());
    }

    /** The median of the successful runs, empty when there is none. */
    OptionalDouble median(String row, Tool tool) {
        List<Double> all = samples.getOrDefault(row, Map.of()).getOrDefault(tool, List.of());
        double[] ok = all.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (ok.length == 0) {
            return OptionalDouble.empty();
        }
        int m = ok.length / 2;
        return OptionalDouble.of(ok.length % 2 == 1 ? ok[m] : (ok[m - 1] + ok[m]) / 2);
    }

    private int failures(String row, Tool tool) {
        return (int) samples.getOrDefault(row, Map.of()).getOrDefault(tool, List.of()).stream()
                .filter(d -> Double.isNaN(d)).count();
    }

    private String cell(String row, Tool tool) {
        OptionalDouble m = median(row, tool);
        int failed = failures(row, tool);
        String s = m.isPresent() ? String.format(Locale.ROOT, "%.2f s", m.getAsDouble()) : "–";
        return failed > 0 ? s + " (" + failed + " failed)" : s;
    }

    private String ratio(String row, Tool a, Tool b) {
        OptionalDouble x = median(row, a);
        OptionalDouble y = median(row, b);
        return x.isPresent() && y.isPresent() && y.getAsDouble() > 0
                ? String.format(Locale.ROOT, "%.2f", x.getAsDouble() / y.getAsDouble()) : "–";
    }

    /** The Markdown table: medians per tool, then Berth over Docker and over the floor. */
    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| operation |");
        for (Tool t : Tool.values()) {
            b.append(' ').append(t.label).append(" |");
        }
        b.append(" CLI/Docker | in-process/Docker | CLI/floor | in-process/floor |\n|---|");
        b.append("---:|".repeat(Tool.values().length + 4)).append('\n');
        for (String row : samples.keySet()) {
            b.append("| ").append(row).append(" |");
            for (Tool t : Tool.values()) {
                b.append(' ').append(cell(row, t)).append(" |");
            }
            b.append(' ').append(ratio(row, Tool.BERTH_CLI, Tool.DOCKER)).append(" |")
                    .append(' ').append(ratio(row, Tool.BERTH_IN_PROCESS, Tool.DOCKER)).append(" |")
                    .append(' ').append(ratio(row, Tool.BERTH_CLI, Tool.FLOOR)).append(" |")
                    .append(' ').append(ratio(row, Tool.BERTH_IN_PROCESS, Tool.FLOOR)).append(" |\n");
        }
        return b.toString();
    }

    /** Every sample, one line each: {@code row,tool,run,seconds}. */
    String csv() {
        StringBuilder b = new StringBuilder("operation,tool,run,seconds\n");
        samples.forEach((row, byTool) -> byTool.forEach((tool, list) -> {
            for (int i = 0; i < list.size(); i++) {
                b.append('"').append(row).append("\",").append(tool.label).append(',').append(i + 1).append(',')
                        .append(Double.isNaN(list.get(i)) ? "failed" : String.format(Locale.ROOT, "%.3f", list.get(i)))
                        .append('\n');
            }
        }));
        return b.toString();
    }

    /**
     * A horizontal grouped bar chart of the medians, one group per operation, one bar per tool, each
     * labelled with its value. Plain SVG 1.1, no script, no external fonts.
     */
    String svg(String title) {
        int bar = 14;
        int gap = 2;
        int groupGap = 14;
        int labelWidth = 190;
        int plotWidth = 520;
        int top = 56;
        Tool[] tools = Tool.values();
        double max = 0;
        for (String row : samples.keySet()) {
            for (Tool t : tools) {
                OptionalDouble m = median(row, t);
                if (m.isPresent()) {
                    max = Math.max(max, m.getAsDouble());
                }
            }
        }
        double scale = max > 0 ? plotWidth / max : 1;
        StringBuilder body = new StringBuilder();
        int y = top;
        for (String row : samples.keySet()) {
            int present = 0;
            for (Tool t : tools) {
                if (median(row, t).isPresent()) {
                    present++;
                }
            }
            int groupHeight = Math.max(1, present) * (bar + gap);
            body.append(String.format(Locale.ROOT,
                    "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n",
                    labelWidth - 8, y + groupHeight / 2, escape(row)));
            for (int i = 0; i < tools.length; i++) {
                OptionalDouble m = median(row, tools[i]);
                if (m.isEmpty()) {
                    continue;
                }
                double w = Math.max(1, m.getAsDouble() * scale);
                body.append(String.format(Locale.ROOT,
                        "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.2f s</title></rect>%n",
                        labelWidth, y, w, bar, COLOURS[i], escape(tools[i].label), m.getAsDouble()));
                body.append(String.format(Locale.ROOT,
                        "  <text x=\"%.1f\" y=\"%d\" dominant-baseline=\"middle\" class=\"v\">%.2f s</text>%n",
                        labelWidth + w + 4, y + bar / 2, m.getAsDouble()));
                y += bar + gap;
            }
            if (present == 0) {
                y += bar + gap;
            }
            y += groupGap;
        }
        int width = labelWidth + plotWidth + 70;
        int height = y + 10;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        b.append("  <style>.v{font-size:10px;fill:#333}</style>\n");
        b.append(String.format(Locale.ROOT, "  <rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        b.append(String.format(Locale.ROOT, "  <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        int lx = 10;
        for (int i = 0; i < tools.length; i++) {
            b.append(String.format(Locale.ROOT, "  <rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", lx,
                    COLOURS[i]));
            b.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"42\">%s</text>%n", lx + 16, escape(tools[i].label)));
            lx += 30 + tools[i].label.length() * 7;
        }
        b.append(body);
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
