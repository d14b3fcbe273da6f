package dev.berth.registry.internal;

import dev.berth.exception.NotFoundException;
import dev.berth.exception.PluginException;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;

/** Maps registry error responses to Berth's exceptions. Stateless. */
public final class Errors {
    private Errors() {
    }

    /** The exception for an unexpected status; reads at most 64 KiB of the body and closes the response. */
    public static PluginException of(Response r, String subject) {
        try (r) {
            int status = r.status();
            String text = r.errorText();
            String detail = text.isEmpty() ? "" : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
            return switch (status) {
                case 401 -> new RegistryException(Reason.AUTH, subject + ": unauthorized (401)" + detail);
                case 403 -> new RegistryException(Reason.DENIED, subject + ": denied (403)" + detail);
                case 404 -> new NotFoundException(subject + ": not found" + detail);
                case 408, 429, 500, 502, 503, 504 -> new RegistryException(Reason.UNAVAILABLE, subject
                        + ": registry unavailable (" + status + ")" + detail);
                default -> new RegistryException(Reason.PROTOCOL, subject + ": unexpected status " + status + detail);
            };
        }
    }
}
