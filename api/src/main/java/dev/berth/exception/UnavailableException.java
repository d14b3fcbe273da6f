package dev.berth.exception;

/**
 * A registry, runtime or other service cannot be reached now; the operation may succeed later.
 */
public class UnavailableException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public UnavailableException(String message) {
        super(Category.UNAVAILABLE, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public UnavailableException(String message, Throwable cause) {
        super(Category.UNAVAILABLE, message, cause);
    }
}
