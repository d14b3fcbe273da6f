package dev.berth.oci;

import dev.berth.exception.InvalidInputException;

/** A digest string is not {@code <algorithm>:<hex>} with a supported algorithm and well-formed hex. */
public final class InvalidDigestException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    InvalidDigestException(String input, String reason) {
        super(input, "invalid digest \"" + input + "\": " + reason);
    }
}
