package dev.berth.oci;

import dev.berth.exception.InvalidInputException;

/**
 * A string is not a valid image or plugin reference. The message is docker/distribution's (for
 * example {@code invalid reference format: repository name must be lowercase}) followed by the input.
 */
public final class InvalidReferenceException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    InvalidReferenceException(String input, String reason) {
        super(input, reason + ": \"" + input + "\"");
    }
}
