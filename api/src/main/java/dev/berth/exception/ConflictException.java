package dev.berth.exception;

/**
 * The plugin's state forbids the operation (Docker's Conflict class).
 */
public class ConflictException extends PluginException {
    private static final long serialVersionUID = 1L;

    /** @param message the message, naming the subject */
    public ConflictException(String message) {
        super(Category.CONFLICT, message);
    }

    /**
     * @param message the message, naming the subject
     * @param cause   the underlying failure
     */
    public ConflictException(String message, Throwable cause) {
        super(Category.CONFLICT, message, cause);
    }

    /** {@code plugin <name> is enabled}: the operation needs a disabled plugin. */
    public static ConflictException enabled(String name) {
        return new ConflictException("plugin " + name + " is enabled");
    }

    /** {@code plugin <name> found but disabled}: the operation needs an enabled plugin. */
    public static ConflictException disabled(String name) {
        return new ConflictException("plugin " + name + " found but disabled");
    }

    /** {@code plugin <name> is in use}: the plugin still has references. */
    public static ConflictException inUse(String name) {
        return new ConflictException("plugin " + name + " is in use");
    }

    /** {@code plugin <name> already exists}: the local name is taken. */
    public static ConflictException alreadyExists(String name) {
        return new ConflictException("plugin " + name + " already exists");
    }
}
