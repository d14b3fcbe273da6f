package dev.berth.runtime;

import dev.berth.exception.SystemException;
import java.util.List;

/**
 * A plugin did not come up: the runtime failed to start it, it exited, it did not open its socket in
 * time, or its activation answer was wrong. The plugin has been stopped and cleaned up. The message
 * ends with the plugin's last standard-error lines, also available from {@link #stderrTail()}.
 */
public class PluginStartException extends SystemException {
    private static final long serialVersionUID = 1L;

    private final List<String> stderrTail;

    /**
     * @param message    what went wrong, naming the plugin
     * @param stderrTail the plugin's last standard-error lines, oldest first
     * @param cause      the underlying failure, or {@code null}
     */
    public PluginStartException(String message, List<String> stderrTail, Throwable cause) {
        super(message + describe(stderrTail), cause);
        this.stderrTail = List.copyOf(stderrTail);
    }

    private static String describe(List<String> lines) {
        if (lines.isEmpty()) {
            return " (the plugin wrote nothing to stderr)";
        }
        return "; last stderr lines of the plugin:\n  " + String.join("\n  ", lines);
    }

    /** The plugin's last standard-error lines, oldest first; empty when it wrote none. */
    public List<String> stderrTail() {
        return stderrTail;
    }
}
