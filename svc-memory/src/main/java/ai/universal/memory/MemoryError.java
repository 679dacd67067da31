package ai.universal.memory;

/**
 * A request the domain refuses, with the HTTP-neutral kind the service maps to a status: bad input (400), a value out
 * of its allowed range (422), too much at once (413), an unknown or foreign id (404), a forbidden delegation (403).
 */
final class MemoryError extends RuntimeException {
    /** What went wrong, in terms a client can act on. */
    enum Kind {
        /** Malformed or missing input: 400. */
        BAD_REQUEST,
        /** Well-formed but not acceptable (too long, out of range): 422. */
        INVALID,
        /** Too many items at once: 413. */
        TOO_LARGE,
        /** Unknown id, or another user's: 404. */
        NOT_FOUND,
        /** Acting for another user without the right: 403. */
        FORBIDDEN
    }

    private final Kind kind;
    private final String code;
    private final String field;

    private MemoryError(Kind kind, String code, String field, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
        this.code = code;
        this.field = field;
    }

    static MemoryError badRequest(String code, String field, String detail) {
        return new MemoryError(Kind.BAD_REQUEST, code, field, detail);
    }

    static MemoryError invalid(String code, String field, String detail) {
        return new MemoryError(Kind.INVALID, code, field, detail);
    }

    static MemoryError tooLarge(String code, String field, String detail) {
        return new MemoryError(Kind.TOO_LARGE, code, field, detail);
    }

    static MemoryError notFound(String id) {
        return new MemoryError(Kind.NOT_FOUND, "memory_not_found", null, "memory '" + id + "' does not exist");
    }

    static MemoryError forbidden(String detail) {
        return new MemoryError(Kind.FORBIDDEN, "forbidden", null, detail);
    }

    Kind kind() {
        return kind;
    }

    String code() {
        return code;
    }

    /**
     * The offending field's path, e.g. {@code memories[2].text}.
     *
     * @return path or null
     */
    String field() {
        return field;
    }
}
