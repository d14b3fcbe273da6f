package dev.berth.exception;

/**
 * The operation stopped because it was cancelled, its thread was interrupted (the interrupt status is
 * left set), or, as {@link DeadlineExceededException}, its deadline passed. Whatever it had begun was
 * undone, as after any other failure.
 */
public class CancelledException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** A cancellation, naming what was cancelled. */
    public CancelledException(String message) {
        super(Category.CANCELLED, message);
    }

    /** A cancellation that showed itself as another failure, such as an interrupted write. */
    public CancelledException(String message, Throwable cause) {
        super(Category.CANCELLED, message, cause);
    }

    /** For subclasses with another category. */
    protected CancelledException(Category category, String message) {
        super(category, message);
    }
}
