package dev.berth.remote;

import dev.berth.exception.PluginException;
import java.util.Objects;

/**
 * A remote refused, misbehaved or sent something Berth will not accept. The {@link #reason()} says
 * which, so callers and tests can react without matching message text. Messages never contain
 * credentials or presigned query strings.
 */
public class RegistryException extends PluginException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    /** What went wrong. */
    public enum Reason {
        /** Invalid, ambiguous or unsupported manifest, index, config or descriptor. */
        MANIFEST(Category.SYSTEM),
        /**
         * An index has no entry for the wanted platform. Berth's resolvers throw
         * {@link dev.berth.exception.PlatformNotFoundException} instead, which lists the platforms there are;
         * kept for resolvers written against it.
         */
        PLATFORM(Category.NOT_FOUND),
        /** A configured cap was hit: document size, redirects, entries. */
        LIMIT(Category.SYSTEM),
        /** Content was longer or shorter than its descriptor says. */
        SIZE(Category.SYSTEM),
        /** A redirect was refused: downgrade, forbidden target, loop, too many hops, bad scheme. */
        REDIRECT(Category.SYSTEM),
        /** Authentication failed, or a challenge was malformed or its realm refused. */
        AUTH(Category.UNAUTHORIZED),
        /** The credentials were valid but not allowed to do this. */
        DENIED(Category.FORBIDDEN),
        /** The remote stayed unavailable after the retries ran out. */
        UNAVAILABLE(Category.UNAVAILABLE),
        /** The remote answered something the protocol does not allow. */
        PROTOCOL(Category.SYSTEM);

        private final Category category;

        Reason(Category category) {
            this.category = category;
        }

        /** The error class this reason maps to. */
        public Category category() {
            return category;
        }
    }

    /**
     * @param reason  what went wrong
     * @param message the message, naming the subject
     */
    public RegistryException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  what went wrong
     * @param message the message, naming the subject
     * @param cause   the underlying failure, or null
     */
    public RegistryException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason").category(), message, cause);
        this.reason = reason;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
