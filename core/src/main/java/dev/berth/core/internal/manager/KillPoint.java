package dev.berth.core.internal.manager;

import java.io.PrintStream;

/**
 * Named phase boundaries of the operations, where a crash test can stop a child JVM and kill it with
 * SIGKILL. A test hook, not an option: internal, and with the system property
 * {@value #PROPERTY} unset (always, outside such tests) {@link #reach} is one comparison with null.
 *
 * <p>With {@code -Dberth.test.pauseAt=<phase>} (or {@code <phase>#<n>} for its n-th occurrence) the
 * JVM prints {@code BERTH-PAUSED <phase>} on standard output when it reaches that phase and then
 * waits forever, holding every lock and file it holds at that instant, for the test to kill it.
 */
public final class KillPoint {
    /** The system property naming the phase to pause at. */
    public static final String PROPERTY = "berth.test.pauseAt";
    /** The line printed when pausing, followed by a space and the phase. */
    public static final String MARKER = "BERTH-PAUSED";

    private static final String PAUSE_AT = System.getProperty(PROPERTY);
    private static final String PHASE;
    private static final int OCCURRENCE;
    private static int seen;

    static {
        String phase = PAUSE_AT;
        int occurrence = 1;
        if (phase != null && phase.contains("#")) {
            occurrence = Integer.parseInt(phase.substring(phase.indexOf('#') + 1));
            phase = phase.substring(0, phase.indexOf('#'));
        }
        PHASE = phase;
        OCCURRENCE = occurrence;
    }

    private KillPoint() {
    }

    /** Marks that the current operation reached {@code phase}; pauses there when a test asked to. */
    public static void reach(String phase) {
        if (PHASE != null && PHASE.equals(phase)) {
            pauseIfDue(phase);
        }
    }

    private static void pauseIfDue(String phase) {
        synchronized (KillPoint.class) {
            if (++seen != OCCURRENCE) {
                return;
            }
        }
        PrintStream out = System.out;
        out.println(MARKER + " " + PAUSE_AT);
        out.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // a kill test ends this JVM with SIGKILL; nothing else may wake it past the phase
            }
        }
    }
}
