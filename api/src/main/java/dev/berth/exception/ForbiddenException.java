package dev.berth.exception;

/**
 * A registry understood the credentials but refuses the request (for example insufficient scope).
 */
public class ForbiddenException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public ForbiddenException(String message) {
        super(Category.FORBIDDEN, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public ForbiddenException(String message, Throwable cause) {
        super(Category.FORBIDDEN, message, cause);
    }
}
