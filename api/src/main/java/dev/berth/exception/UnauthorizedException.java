package dev.berth.exception;

/**
 * A registry refused the request for lack of valid credentials.
 */
public class UnauthorizedException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public UnauthorizedException(String message) {
        super(Category.UNAUTHORIZED, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public UnauthorizedException(String message, Throwable cause) {
        super(Category.UNAUTHORIZED, message, cause);
    }
}
