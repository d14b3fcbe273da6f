package dev.berth.exception;

/** The operation ran past the deadline it was given and was stopped and undone. */
public class DeadlineExceededException extends CancelledException {
    private static final long serialVersionUID = 1L;

    /** A missed deadline, naming the operation and the deadline. */
    public DeadlineExceededException(String message) {
        super(Category.DEADLINE_EXCEEDED, message);
    }
}
