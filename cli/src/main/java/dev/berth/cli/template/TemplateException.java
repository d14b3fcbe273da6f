package dev.berth.cli.template;

/** A template that cannot be parsed or executed; the message is Go's, word for word where it matters. */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
        super(message);
    }
}
