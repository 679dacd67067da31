package ai.universal.vector;

/**
 * A request the domain refuses, with the kind of refusal so that each API can pick its own status code.
 * The message is precise and safe to show to the caller.
 */
public final class VectorException extends RuntimeException {

    /** Why a request was refused. */
    public enum Kind {
        /** Malformed or inconsistent input. */
        BAD_REQUEST,
        /** Unknown collection, point or snapshot. */
        NOT_FOUND,
        /** The name is taken. */
        CONFLICT,
        /** A batch, limit or body over the configured maximum. */
        TOO_LARGE,
        /** The caller has no tenant but the collection needs one. */
        FORBIDDEN
    }

    private final Kind kind;

    private VectorException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /**
     * Malformed input.
     *
     * @param message what is wrong, naming the field
     * @return the exception
     */
    public static VectorException badRequest(String message) {
        return new VectorException(Kind.BAD_REQUEST, message, null);
    }

    /**
     * Something named does not exist.
     *
     * @param message what is missing
     * @return the exception
     */
    public static VectorException notFound(String message) {
        return new VectorException(Kind.NOT_FOUND, message, null);
    }

    /**
     * The name is already used.
     *
     * @param message what clashes
     * @return the exception
     */
    public static VectorException conflict(String message) {
        return new VectorException(Kind.CONFLICT, message, null);
    }

    /**
     * Over a size limit.
     *
     * @param message which limit
     * @return the exception
     */
    public static VectorException tooLarge(String message) {
        return new VectorException(Kind.TOO_LARGE, message, null);
    }

    /**
     * The caller may not do this.
     *
     * @param message why
     * @return the exception
     */
    public static VectorException forbidden(String message) {
        return new VectorException(Kind.FORBIDDEN, message, null);
    }

    /**
     * The kind of refusal.
     *
     * @return kind
     */
    public Kind kind() {
        return kind;
    }
}
