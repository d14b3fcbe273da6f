package dev.berth.oci;

import dev.berth.exception.InvalidInputException;

/** A platform string is not {@code os/architecture[/variant]} with well-formed parts. */
public final class InvalidPlatformException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    InvalidPlatformException(String input, String reason) {
        super(input, "invalid platform \"" + input + "\": " + reason);
    }
}
