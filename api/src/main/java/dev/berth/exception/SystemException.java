package dev.berth.exception;

/**
 * An internal or I/O failure: the operation could not complete for reasons the caller cannot fix by changing the request.
 */
public class SystemException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public SystemException(String message) {
        super(Category.SYSTEM, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public SystemException(String message, Throwable cause) {
        super(Category.SYSTEM, message, cause);
    }
}
