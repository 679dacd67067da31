package ai.universal.ml;

import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.Handler;

/**
 * The errors svc-ml answers, each naming the offending field: as {@code param} in OpenAI's error shape
 * (/v1/embeddings) and in {@code errors[].field} in problem+json (/v1/ml/…).
 *
 * <pre>
 * 400 missing_field, invalid_type, empty_input, invalid_value
 * 404 model_not_found
 * 413 too_many_inputs              (bodies over the size limit: 413 from the kit)
 * 422 input_too_long, out_of_range, duplicate_label
 * 429 queue_full + Retry-After
 * 503 model_loading + Retry-After, model_unavailable
 * </pre>
 */
final class RequestErrors {

    private RequestErrors() {
    }

    static ProblemException missing(String field) {
        return field(400, "missing_field", "Bad Request", field, "'" + field + "' is required");
    }

    static ProblemException wrongType(String field, String expected) {
        return field(400, "invalid_type", "Bad Request", field, "'" + field + "' must be " + expected);
    }

    static ProblemException empty(String field) {
        return field(400, "empty_input", "Bad Request", field, "'" + field + "' must not be empty or blank");
    }

    static ProblemException invalidValue(String field, String detail) {
        return field(400, "invalid_value", "Bad Request", field, detail);
    }

    static ProblemException tooMany(String field, int count, int max) {
        return field(413, "too_many_inputs", "Content Too Large", field,
                     "'" + field + "' has " + count + " items; at most " + max + " are accepted per request");
    }

    static ProblemException tooLong(String field, String detail) {
        return field(422, "input_too_long", "Unprocessable Content", field, detail);
    }

    static ProblemException outOfRange(String field, String detail) {
        return field(422, "out_of_range", "Unprocessable Content", field, detail);
    }

    static ProblemException duplicate(String field, String detail) {
        return field(422, "duplicate_label", "Unprocessable Content", field, detail);
    }

    static ProblemException unknownModel(UnknownModelException e) {
        return field(404, "model_not_found", "Not Found", "model", e.getMessage());
    }

    static ProblemException queueFull(QueueFullException e) {
        return new ProblemException(Problem.of(429, "queue_full", "Too Many Requests", e.getMessage()))
                .withHeader("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }

    /**
     * A handler whose domain exceptions become the problems above (anything else stays a 500).
     *
     * @param handler handler calling the domain
     * @return the same handler with the mapping
     */
    static Handler mapped(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (InputTooLongException e) {
                throw tooLong(e.index() < 0 ? "input" : "input[" + e.index() + "]", e.getMessage());
            } catch (QueueFullException e) {
                throw queueFull(e);
            } catch (UnknownModelException e) {
                throw unknownModel(e);
            }
        };
    }

    private static ProblemException field(int status, String code, String title, String field, String detail) {
        return new ProblemException(new Problem(status, code, title, detail, null,
                                                Map.of("param", field,
                                                       "errors", List.of(Map.of("field", field, "detail", detail)))));
    }
}
