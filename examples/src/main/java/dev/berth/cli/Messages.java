package dev.berth.cli;

/**
 * The words Docker's CLI prints where they differ from the daemon's (and so from the library's
 * exceptions, which keep the daemon's): scripts that match on {@code docker plugin}'s output see the
 * same lines from {@code berth}.
 */
final class Messages {
    private Messages() {
    }

    /** The client's rewording of a not-found answer ({@code errdefs.NotFound} → "No such plugin"). */
    static String noSuchPlugin(String name) {
        return "Error: No such plugin: " + name;
    }
}
