package dev.berth.client;

import dev.berth.exception.SystemException;

/**
 * A call to a plugin failed: it could not be reached, did not answer in time, answered a non-200
 * status, malformed JSON, or an {@code Err}. The message is Docker's {@code <Method>: <Err>} where the
 * plugin gave an error text.
 */
public class PluginCallException extends SystemException {
    private static final long serialVersionUID = 1L;

    private final String method;

    /**
     * @param method  the plugin method, e.g. {@code VolumeDriver.Create}
     * @param message the message
     * @param cause   the underlying failure, or {@code null}
     */
    public PluginCallException(String method, String message, Throwable cause) {
        super(message, cause);
        this.method = method;
    }

    /** The plugin method that failed, e.g. {@code VolumeDriver.Create}. */
    public String method() {
        return method;
    }
}
