package dev.berth.exception;

/**
 * The request is malformed or ambiguous (Docker's InvalidParameter class).
 */
public class InvalidParameterException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public InvalidParameterException(String message) {
        super(Category.INVALID_PARAMETER, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public InvalidParameterException(String message, Throwable cause) {
        super(Category.INVALID_PARAMETER, message, cause);
    }

    /** Docker's message for an ID prefix matching more than one plugin. */
    public static InvalidParameterException ambiguousPrefix(String prefix) {
        return new InvalidParameterException("multiple plugins found for \"" + prefix + "\"");
    }
}
