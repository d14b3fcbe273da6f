package dev.berth.cli;

import java.io.Console;
import java.util.Optional;

/**
 * The user's terminal, if there is one: whether prompts may be asked and progress bars drawn. The
 * process's console by default; tests substitute their own.
 */
interface Terminal {
    /** Whether a person can answer prompts (standard input and output are a terminal). */
    boolean interactive();

    /**
     * Shows {@code prompt} and reads one line.
     *
     * @return the line, or empty at end of input or when not interactive
     */
    Optional<String> readLine(String prompt);

    /** The JVM's console: interactive exactly when {@link System#console()} exists. */
    static Terminal system() {
        return new Terminal() {
            @Override
            public boolean interactive() {
                return System.console() != null;
            }

            @Override
            public Optional<String> readLine(String prompt) {
                Console c = System.console();
                return c == null ? Optional.empty() : Optional.ofNullable(c.readLine("%s", prompt));
            }
        };
    }

    /** No terminal: nothing is asked, no bars are drawn. */
    Terminal NONE = new Terminal() {
        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public Optional<String> readLine(String prompt) {
            return Optional.empty();
        }
    };
}
