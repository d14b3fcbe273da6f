package dev.berth.exception;

import dev.berth.plugin.PluginPrivilege;
import java.util.List;

/**
 * The privileges a plugin requires differ from those the caller granted. Docker answers
 * {@code incorrect privileges} (HTTP 500) without saying what differs; Berth keeps that text as the
 * message's start and names both lists, and classes the error as an invalid request since the caller
 * fixes it by granting what is required.
 */
public class PrivilegesNotGrantedException extends PluginException {
    private static final long serialVersionUID = 1L;

    private final transient List<PluginPrivilege> required;
    private final transient List<PluginPrivilege> granted;

    /**
     * @param required what the plugin's config requires, in Docker's order
     * @param granted  what the caller granted
     */
    public PrivilegesNotGrantedException(List<PluginPrivilege> required, List<PluginPrivilege> granted) {
        super(Category.INVALID_PARAMETER,
                "incorrect privileges: the plugin requires " + required + " but " + granted + " was granted");
        this.required = List.copyOf(required);
        this.granted = List.copyOf(granted);
    }

    /** What the plugin's config requires, in Docker's order. */
    public List<PluginPrivilege> required() {
        return required;
    }

    /** What the caller granted. */
    public List<PluginPrivilege> granted() {
        return granted;
    }
}
