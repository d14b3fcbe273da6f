package dev.berth.exception;

/**
 * The plugin manager was opened read-only and the call would change the plugin root or its content
 * store. Raised before anything is read from a registry or written to disk, so a refused call leaves
 * the root and the store byte for byte as they were. Its category is {@link Category#FORBIDDEN}: the
 * request is understood, and retrying it on the same manager cannot succeed.
 */
public class ReadOnlyException extends ForbiddenException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the root and the refused operation */
    public ReadOnlyException(String message) {
        super(message);
    }

    /**
     * {@code the plugin root <root> is read-only: <operation> refused}.
     *
     * @param root      the root, as the manager was given it
     * @param operation what was refused ({@code install}, {@code gc}, ...)
     */
    public static ReadOnlyException refused(String root, String operation) {
        return new ReadOnlyException("the plugin root " + root + " is read-only: " + operation + " refused");
    }
}
