package dev.berth.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/tabwriter} as Docker's formatter sets it up ({@code minwidth 10, padding 3}, spaces):
 * tab-terminated cells are padded to the widest cell of their column block, that is of the run of
 * adjacent lines that have a cell in that column; a line's last cell is written as it is.
 */
final class TabWriter {
    private static final int MIN_WIDTH = 10;
    private static final int PADDING = 3;

    private final List<List<String>> lines = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    private TabWriter() {
    }

    /** Formats text whose lines end with a newline (a last line without one is kept as is). */
    static String format(String text) {
        TabWriter w = new TabWriter();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            if (i == raw.length - 1 && raw[i].isEmpty()) {
                break;
            }
            w.lines.add(List.of(raw[i].split("\t", -1)));
        }
        w.format(0, w.lines.size());
        boolean endsWithNewline = text.endsWith("\n");
        if (!endsWithNewline && w.out.length() > 0) {
            w.out.setLength(w.out.length() - 1);
        }
        return w.out.toString();
    }

    private void format(int line0, int line1) {
        int column = widths.size();
        for (int current = line0; current < line1; current++) {
            if (column >= lines.get(current).size() - 1) {
                continue;
            }
            writeLines(line0, current);
            line0 = current;
            int width = MIN_WIDTH;
            for (; current < line1; current++) {
                List<String> line = lines.get(current);
                if (column >= line.size() - 1) {
                    break;
                }
                String cell = line.get(column);
                width = Math.max(width, cell.codePointCount(0, cell.length()) + PADDING);
            }
            widths.add(width);
            format(line0, current);
            widths.remove(widths.size() - 1);
            line0 = current;
        }
        writeLines(line0, line1);
    }

    private void writeLines(int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            List<String> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                String cell = line.get(j);
                out.append(cell);
                if (j < widths.size()) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - cell.codePointCount(0, cell.length()))));
                }
            }
            out.append('\n');
        }
    }
}
