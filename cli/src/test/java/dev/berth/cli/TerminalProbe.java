package dev.berth.cli;

/** Prints whether the process's terminal counts as interactive; run in a child JVM by {@link TerminalTest}. */
public final class TerminalProbe {
    private TerminalProbe() {
    }

    public static void main(String[] args) {
        System.out.println(Terminal.system().interactive());
    }
}
