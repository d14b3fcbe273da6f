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

    /**
     * Reads one answer when there is no terminal, as Docker's CLI reads a prompt's answer from standard
     * input whatever it is ({@code yes | berth install ...}).
     *
     * @return the line, or empty at end of input
     */
    default Optional<String> readPiped() {
        return Optional.empty();
    }

    /**
     * The JVM's console: interactive when it is a real terminal. From JDK 22 on {@link System#console()}
     * exists even when output is redirected, so there {@code Console.isTerminal()} decides (called
     * reflectively, since Berth compiles for 17); before 22 a console exists only on a terminal.
     */
    static Terminal system() {
        return new Terminal() {
            @Override
            public boolean interactive() {
                return isTerminal(System.console());
            }

            @Override
            public Optional<String> readLine(String prompt) {
                Console c = System.console();
                return c == null ? Optional.empty() : Optional.ofNullable(c.readLine("%s", prompt));
            }

            @Override
            public Optional<String> readPiped() {
                // byte by byte up to the newline: nothing past the answer is taken from the input
                java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
                try {
                    int b;
                    while ((b = System.in.read()) >= 0 && b != '\n') {
                        line.write(b);
                    }
                    if (b < 0 && line.size() == 0) {
                        return Optional.empty();
                    }
                } catch (java.io.IOException e) {
                    return Optional.empty();
                }
                return Optional.of(line.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }

    /** Whether {@code console} is a terminal; see {@link #system()}. */
    static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17 to 21: a console exists only when standard input and output are a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
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
