package dev.berth.cli;

/**
 * The words Docker's CLI prints where they differ from the daemon's (and so from the library's
 * exceptions, which keep the daemon's): scripts that match on {@code docker plugin}'s output see the
 * same lines from {@code berth}.
 */
final class Messages {
    /** A line printed as it is, without a prefix: Docker's CLI prints its own errors bare. */
    static final class Verbatim extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Verbatim(String line) {
            super(line);
        }
    }

    private Messages() {
    }

    /**
     * How Docker's CLI prints a failure: the daemon's answers (the library's exceptions carry the
     * daemon's words) after "Error response from daemon: ", its own errors bare, Berth's own after "Error: ".
     */
    static String line(Throwable e) {
        if (e instanceof Verbatim) {
            return e.getMessage();
        }
        if (e instanceof dev.berth.exception.PluginException) {
            return "Error response from daemon: " + e.getMessage();
        }
        return "Error: " + Berth.message(e);
    }

    /** The client's rewording of a not-found answer ({@code errdefs.NotFound} → "No such plugin"). */
    static String noSuchPlugin(String name) {
        return "Error: No such plugin: " + name;
    }
}
