package dev.berth.internal.json;

/** JSON that cannot be read, or that does not have the shape a Docker type requires. */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, and where */
    public JsonException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause   the parser's error
     */
    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
