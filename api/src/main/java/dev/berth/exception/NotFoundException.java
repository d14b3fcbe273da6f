package dev.berth.exception;

/**
 * The named plugin, blob, manifest or reference does not exist (Docker's NotFound class).
 */
public class NotFoundException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public NotFoundException(String message) {
        super(Category.NOT_FOUND, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public NotFoundException(String message, Throwable cause) {
        super(Category.NOT_FOUND, message, cause);
    }

    /** Docker's message for a plugin that cannot be resolved: {@code plugin "<name>" not found}. */
    public static NotFoundException plugin(String nameOrId) {
        return new NotFoundException("plugin \"" + nameOrId + "\" not found");
    }
}
