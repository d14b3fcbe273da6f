package dev.berth.exception;

/**
 * The request is understood but refused: a registry accepted the credentials but they are not
 * sufficient (for example insufficient scope), or the manager was opened read-only
 * ({@link ReadOnlyException}).
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
