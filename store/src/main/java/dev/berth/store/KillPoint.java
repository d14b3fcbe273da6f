package dev.berth.store;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * The store's half of core's crash-test hook: with {@code -Dberth.test.pauseAt=store.<step>} (or
 * {@code store.<step>#<n>} for its n-th occurrence) the JVM prints {@code BERTH-PAUSED <value>} when a
 * commit reaches that step ({@code data-synced}, {@code labels-written}, {@code renamed},
 * {@code published}, {@code ingest-removed}) and waits forever, for the test to kill it with SIGKILL.
 * Unset (always, outside such tests), the store's failpoint is a no-op.
 */
final class KillPoint {
    private static final String PROPERTY = "berth.test.pauseAt";

    private KillPoint() {
    }

    /** The failpoint the property asks for, or a no-op. */
    static Consumer<String> fromProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || !value.startsWith("store.")) {
            return step -> { };
        }
        int hash = value.indexOf('#');
        String phase = hash < 0 ? value : value.substring(0, hash);
        int occurrence = hash < 0 ? 1 : Integer.parseInt(value.substring(hash + 1));
        int[] seen = {0};
        return step -> {
            if (!phase.equals("store." + step)) {
                return;
            }
            synchronized (seen) {
                if (++seen[0] != occurrence) {
                    return;
                }
            }
            PrintStream out = System.out;
            out.println("BERTH-PAUSED " + value);
            out.flush();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // only SIGKILL ends a paused JVM
                }
            }
        };
    }
}
