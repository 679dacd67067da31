package ai.universal.auth;

import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.Handler;

/**
 * Maps the domain's {@link AuthFailure}s to problem+json answers:
 * <pre>
 * INVALID_CREDENTIALS    401 invalid_credentials     (one body for unknown account and wrong password)
 * INVALID_REFRESH_TOKEN  401 invalid_refresh_token
 * REFRESH_TOKEN_REUSED   401 refresh_token_reused
 * ACCOUNT_DISABLED       403 account_disabled
 * NOT_FOUND              404 not_found
 * EMAIL_TAKEN            409 email_taken
 * CONFLICT               409 conflict
 * INVALID_FIELD          422 validation_failed, or weak_password with "rule" for the password policy
 * THROTTLED              429 too_many_attempts + Retry-After
 * BUSY                   503 busy + Retry-After
 * </pre>
 */
final class AuthProblems {
    private AuthProblems() {
    }

    /**
     * A handler whose domain failures become problems.
     *
     * @param handler handler
     * @return wrapped handler
     */
    static Handler mapped(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (AuthFailure e) {
                throw problem(e);
            }
        };
    }

    static ProblemException problem(AuthFailure e) {
        return switch (e.reason()) {
            case INVALID_CREDENTIALS -> ProblemException.of(401, "invalid_credentials", "Unauthorized", e.getMessage())
                    .withHeader("WWW-Authenticate", "Bearer realm=\"universal-ai-tools\"");
            case INVALID_REFRESH_TOKEN -> ProblemException.of(401, "invalid_refresh_token", "Unauthorized", e.getMessage());
            case REFRESH_TOKEN_REUSED -> ProblemException.of(401, "refresh_token_reused", "Unauthorized", e.getMessage());
            case ACCOUNT_DISABLED -> ProblemException.of(403, "account_disabled", "Forbidden", e.getMessage());
            case NOT_FOUND -> ProblemException.notFound(e.getMessage());
            case EMAIL_TAKEN -> ProblemException.conflict("email_taken", e.getMessage());
            case CONFLICT -> ProblemException.conflict("conflict", e.getMessage());
            case INVALID_FIELD -> e.rule() == null
                    ? ProblemException.invalid(e.field(), e.getMessage())
                    : new ProblemException(new Problem(422, "weak_password", "Unprocessable Content", e.getMessage(), null,
                                                       Map.of("rule", e.rule(), "errors", List.of(
                                                               Map.of("field", e.field(), "detail", e.getMessage())))));
            case THROTTLED -> ProblemException.of(429, "too_many_attempts", "Too Many Requests", e.getMessage())
                    .withHeader("Retry-After", seconds(e));
            case BUSY -> ProblemException.of(503, "busy", "Service Unavailable", e.getMessage())
                    .withHeader("Retry-After", seconds(e));
        };
    }

    private static String seconds(AuthFailure e) {
        long ms = e.retryAfter() == null ? 1000 : e.retryAfter().toMillis();
        return Long.toString(Math.max(1, (ms + 999) / 1000));
    }
}
