package dev.berth.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.ToIntFunction;

/**
 * Runs many {@code berth} command lines in this JVM on one command model, capturing each one's output:
 * for tests that compare hundreds of runs with Docker's, where building the model each time would cost
 * more than the commands. Not thread-safe.
 */
public final class BerthBatch {
    /** What one command line printed and returned. */
    public record Result(int code, String out, String err) {
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ToIntFunction<String[]> runner = Berth.runner(new PrintWriter(out, true), new PrintWriter(err, true));

    /** A batch with the process's environment and no terminal, as {@link Berth#execute} runs. */
    public BerthBatch() {
        // the runner is made with the fields above
    }

    /** Runs one command line; options start from their defaults. */
    public Result run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        int code = runner.applyAsInt(args);
        return new Result(code, out.toString(), err.toString());
    }
}
