package ai.universal.kit.http;

import java.util.Map;

/**
 * Thrown by handlers and the domain-facing layer to answer with a problem detail. The one error handler in
 * {@link ErrorMapping} turns it into problem+json (or into a compatible API's own error shape).
 */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;
    private final transient Map<String, String> headers;

    /**
     * Create from a problem.
     *
     * @param problem the problem
     */
    public ProblemException(Problem problem) {
        this(problem, Map.of());
    }

    private ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = headers;
    }

    /**
     * The same exception with one more response header (e.g. {@code Retry-After}, {@code WWW-Authenticate}).
     *
     * @param name  header name
     * @param value header value
     * @return a new exception
     */
    public ProblemException withHeader(String name, String value) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ProblemException(problem, Map.copyOf(copy));
    }

    /**
     * Extra response headers.
     *
     * @return headers
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The problem to answer with.
     *
     * @return problem
     */
    public Problem problem() {
        return problem;
    }

    /**
     * 400: the request is malformed.
     *
     * @param detail what is wrong
     * @return exception to throw
     */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(Problem.of(400, "bad_request", "Bad Request", detail));
    }

    /**
     * 422: well-formed but a field fails validation.
     *
     * @param field  the field (JSON pointer-ish name)
     * @param detail what is wrong with it
     * @return exception to throw
     */
    public static ProblemException invalid(String field, String detail) {
        return new ProblemException(new Problem(422, "validation_failed", "Unprocessable Content", detail, null,
                                                Map.of("errors", java.util.List.of(Map.of("field", field, "detail", detail)))));
    }

    /**
     * 401: no or bad credentials.
     *
     * @param detail why
     * @return exception to throw
     */
    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail));
    }

    /**
     * 403: authenticated, not allowed.
     *
     * @param detail why
     * @return exception to throw
     */
    public static ProblemException forbidden(String detail) {
        return new ProblemException(Problem.of(403, "forbidden", "Forbidden", detail));
    }

    /**
     * 404: no such resource.
     *
     * @param detail which
     * @return exception to throw
     */
    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "not_found", "Not Found", detail));
    }

    /**
     * 409: conflicts with the current state.
     *
     * @param code   code
     * @param detail why
     * @return exception to throw
     */
    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(Problem.of(409, code, "Conflict", detail));
    }

    /**
     * Any status with a code.
     *
     * @param status status
     * @param code   code
     * @param title  title
     * @param detail detail
     * @return exception to throw
     */
    public static ProblemException of(int status, String code, String title, String detail) {
        return new ProblemException(Problem.of(status, code, title, detail));
    }
}
