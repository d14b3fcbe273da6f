package dev.berth.exception;

import java.util.Objects;

/**
 * The root of every error Berth reports for an operation. Unchecked, like Docker's error classes; the
 * {@link #category()} tells callers how to react (and maps to the HTTP status the Docker Engine API
 * would answer) without matching on message text.
 *
 * <p>Subclasses exist per category so callers can catch what they handle. Messages follow Docker's
 * wording where Docker has one (for example {@code plugin "x" not found}) and always name the subject.
 */
public class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error classes Docker's errdefs distinguishes for plugin operations. */
    public enum Category {
        /** The subject does not exist (HTTP 404). */
        NOT_FOUND(404),
        /** The request itself is wrong (HTTP 400). */
        INVALID_PARAMETER(400),
        /** The subject's state forbids the operation (HTTP 409). */
        CONFLICT(409),
        /** Credentials are missing or wrong (HTTP 401). */
        UNAUTHORIZED(401),
        /** Credentials are valid but not sufficient (HTTP 403). */
        FORBIDDEN(403),
        /** A remote or local service cannot be reached now; retrying may help (HTTP 503). */
        UNAVAILABLE(503),
        /** Everything else, including I/O failures and data corruption (HTTP 500). */
        SYSTEM(500),
        /** The caller cancelled the operation or interrupted its thread (errdefs' Cancelled, HTTP 499). */
        CANCELLED(499),
        /** The operation ran past the deadline it was given (errdefs' Deadline, HTTP 504). */
        DEADLINE_EXCEEDED(504);

        private final int httpStatus;

        Category(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** The status code the Docker Engine API answers for this class of error. */
        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Category category;

    /**
     * @param category the error class
     * @param message  the message, naming the subject
     * @param cause    the underlying failure, or {@code null}
     */
    public PluginException(Category category, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.category = Objects.requireNonNull(category, "category");
    }

    /** Same as {@link #PluginException(Category, String, Throwable)} without a cause. */
    public PluginException(Category category, String message) {
        this(category, message, null);
    }

    /** The error class of this failure. */
    public Category category() {
        return category;
    }
}
