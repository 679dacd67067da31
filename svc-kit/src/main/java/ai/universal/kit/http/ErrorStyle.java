package ai.universal.kit.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an error is written on the wire. Platform APIs use RFC 9457 problem+json; a compatible API (OpenAI, Qdrant)
 * answers in its own shape so that its clients parse our errors the way they parse the original's.
 */
public sealed interface ErrorStyle {

    /** RFC 9457 problem+json. */
    ErrorStyle PROBLEM = new ProblemJson();
    /** OpenAI's {@code {"error":{"message","type","param","code"}}}. */
    ErrorStyle OPENAI = new OpenAi();
    /** Qdrant's {@code {"status":{"error":"…"},"time":…}}. */
    ErrorStyle QDRANT = new Qdrant();

    /**
     * Media type of the body.
     *
     * @return content type
     */
    String contentType();

    /**
     * The JSON body for a problem.
     *
     * @param problem problem
     * @return body members
     */
    Map<String, Object> body(Problem problem);

    /** RFC 9457. */
    record ProblemJson() implements ErrorStyle {
        @Override
        public String contentType() {
            return Problem.MEDIA_TYPE;
        }

        @Override
        public Map<String, Object> body(Problem problem) {
            return problem.toJson();
        }
    }

    /** OpenAI error object. */
    record OpenAi() implements ErrorStyle {
        @Override
        public String contentType() {
            return "application/json";
        }

        @Override
        public Map<String, Object> body(Problem problem) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", problem.detail());
            error.put("type", openAiType(problem.status()));
            error.put("param", problem.extra().get("param"));
            error.put("code", problem.code());
            return Map.of("error", error);
        }

        private static String openAiType(int status) {
            return switch (status) {
                case 401 -> "authentication_error";
                case 403 -> "permission_error";
                case 404 -> "not_found_error";
                case 429 -> "rate_limit_error";
                default -> status >= 500 ? "server_error" : "invalid_request_error";
            };
        }
    }

    /** Qdrant error object. */
    record Qdrant() implements ErrorStyle {
        @Override
        public String contentType() {
            return "application/json";
        }

        @Override
        public Map<String, Object> body(Problem problem) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", Map.of("error", problem.detail()));
            body.put("time", 0.0);
            return body;
        }
    }
}
