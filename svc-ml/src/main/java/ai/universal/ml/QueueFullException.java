package ai.universal.ml;

/** The embedding queue has no room for a request's texts; the caller should retry after {@link #retryAfterSeconds()}. */
public final class QueueFullException extends RuntimeException {

    private final int retryAfterSeconds;

    QueueFullException(int queued, int capacity, int retryAfterSeconds) {
        super("embedding queue is full (" + queued + " of " + capacity + " texts waiting); retry after "
                      + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A whole number of seconds, at least 1, for a Retry-After header. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
