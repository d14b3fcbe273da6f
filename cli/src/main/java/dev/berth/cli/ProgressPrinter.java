package dev.berth.cli;

import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import dev.berth.progress.ProgressStatus;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints per-blob progress as Docker does: on a terminal one line per blob redrawn in place with a bar
 * while bytes move; otherwise one plain line per change of state (byte counts are not repeated, so logs
 * stay short). Called on the operation's thread; not thread-safe beyond that.
 */
final class ProgressPrinter implements ProgressListener {
    private static final int BAR_WIDTH = 40;

    private final PrintWriter out;
    private final boolean tty;
    private final Map<String, ProgressStatus> last = new HashMap<>();
    private boolean midLine;

    ProgressPrinter(PrintWriter out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    @Override
    public void progress(ProgressEvent e) {
        boolean moving = e.status() == ProgressStatus.DOWNLOADING || e.status() == ProgressStatus.PUSHING
                || e.status() == ProgressStatus.EXTRACTING;
        if (tty && moving) {
            out.print("\r" + e.id() + ": " + e.status().text() + " " + bar(e.current(), e.total()) + "\u001b[K");
            midLine = true;
            out.flush();
            return;
        }
        if (!tty && e.status() == last.get(e.id())) {
            return;
        }
        last.put(e.id(), e.status());
        if (tty && midLine) {
            out.print("\r\u001b[K");
        }
        midLine = false;
        out.println(e.id() + ": " + e.status().text());
        out.flush();
    }

    /** Ends a line left open by a bar. */
    void finish() {
        if (midLine) {
            out.println();
            out.flush();
            midLine = false;
        }
    }

    static String bar(long current, long total) {
        if (total <= 0) {
            return human(current);
        }
        int filled = (int) Math.min(BAR_WIDTH, current * BAR_WIDTH / total);
        return "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(BAR_WIDTH - filled)
                + "] " + human(current) + "/" + human(total);
    }

    /** Sizes as Docker prints them: {@code 1.43MB} (decimal units). */
    static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
    }
}
