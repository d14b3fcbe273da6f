package dev.berth.exception;

import java.util.Objects;

/**
 * A string given to one of Berth's parsers (a reference, a digest, a media type, a {@code set}
 * argument, a capability type) is not in the expected form. The message names the input.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;

    /**
     * @param input   the rejected input, verbatim
     * @param message the whole message; it names the input (quoted), in Docker's wording where Docker
     *                has one
     */
    public InvalidInputException(String input, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.input = Objects.requireNonNull(input, "input");
    }

    /** The rejected input, verbatim. */
    public String input() {
        return input;
    }
}
