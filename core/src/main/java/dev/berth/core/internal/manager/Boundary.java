package dev.berth.core.internal.manager;

import dev.berth.exception.ForbiddenException;
import dev.berth.exception.InvalidInputException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.exception.PluginException;
import dev.berth.exception.SystemException;
import dev.berth.exception.UnauthorizedException;
import dev.berth.exception.UnavailableException;
import dev.berth.internal.json.JsonException;
import dev.berth.remote.RegistryException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The exception contract of the facade: what leaves {@code PluginManager} is a {@link PluginException}
 * (or {@link NullPointerException} / {@link IllegalArgumentException} for a caller's programming error,
 * or {@link ClosedException} for a closed manager). Everything else that escapes an operation is
 * translated here, keeping the original as the cause:
 * <ul>
 *   <li>{@link UncheckedIOException} and any other runtime exception: {@link SystemException};</li>
 *   <li>a JSON decoding error (corrupt data on disk or from a remote): {@link SystemException};</li>
 *   <li>an invalid reference or digest that no operation translated: {@link InvalidParameterException};</li>
 *   <li>a {@link RegistryException} whose category has its own class (unauthorized, forbidden, not found,
 *       unavailable): that class ({@link UnauthorizedException}, ...), with the same message and the
 *       registry exception, and so its {@link RegistryException#reason()}, as the cause.</li>
 * </ul>
 * Stateless.
 */
public final class Boundary {
    private Boundary() {
    }

    /** Runs {@code operation} and translates what it throws. */
    public static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Runs {@code operation} and translates what it throws. */
    public static void run(Runnable operation) {
        try {
            operation.run();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** The exception the facade throws for {@code e}. */
    public static RuntimeException translate(RuntimeException e) {
        if (e instanceof RegistryException r) {
            return switch (r.category()) {
                case UNAUTHORIZED -> new UnauthorizedException(r.getMessage(), r);
                case FORBIDDEN -> new ForbiddenException(r.getMessage(), r);
                case NOT_FOUND -> new NotFoundException(r.getMessage(), r);
                case UNAVAILABLE -> new UnavailableException(r.getMessage(), r);
                case INVALID_PARAMETER -> new InvalidParameterException(r.getMessage(), r);
                default -> r;
            };
        }
        if (e instanceof PluginException || e instanceof ClosedException) {
            return e;
        }
        if (e instanceof JsonException) {
            return new SystemException("invalid data: " + e.getMessage(), e);
        }
        if (e instanceof InvalidInputException) {
            return new InvalidParameterException(e.getMessage(), e);
        }
        if (e instanceof IllegalArgumentException || e instanceof NullPointerException) {
            return e;
        }
        if (e instanceof UncheckedIOException u) {
            String cause = u.getCause() == null ? "" : ": " + u.getCause().getMessage();
            return new SystemException(u.getMessage() + cause, u);
        }
        String m = e.getMessage();
        return new SystemException(m == null || m.isBlank() ? e.toString() : m, e);
    }

    /**
     * Thrown by every operation of a closed manager. An {@link IllegalStateException}, as it always was:
     * using a closed manager is a programming error, not an operation failure.
     */
    public static final class ClosedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /** {@code the plugin manager is closed}. */
        public ClosedException() {
            super("the plugin manager is closed");
        }
    }
}
