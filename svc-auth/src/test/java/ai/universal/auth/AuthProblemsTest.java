package ai.universal.auth;

import java.time.Duration;

import ai.universal.kit.http.ProblemException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuthProblemsTest {

    @Test
    void busyIs503WithRetryAfterInWholeSeconds() {
        ProblemException e = AuthProblems.problem(AuthFailure.retryLater(AuthFailure.Reason.BUSY, "busy", Duration.ofMillis(1)));
        assertEquals(503, e.problem().status());
        assertEquals("busy", e.problem().code());
        assertEquals("1", e.headers().get("Retry-After"));
    }

    @Test
    void throttledIs429WithRetryAfterRoundedUp() {
        ProblemException e = AuthProblems.problem(AuthFailure.retryLater(AuthFailure.Reason.THROTTLED, "wait",
                                                                         Duration.ofMillis(2001)));
        assertEquals(429, e.problem().status());
        assertEquals("too_many_attempts", e.problem().code());
        assertEquals("3", e.headers().get("Retry-After"));
    }

    @Test
    void disabledIs403AndReuseIs401() {
        assertEquals(403, AuthProblems.problem(AuthFailure.of(AuthFailure.Reason.ACCOUNT_DISABLED, "x")).problem().status());
        ProblemException reuse = AuthProblems.problem(AuthFailure.of(AuthFailure.Reason.REFRESH_TOKEN_REUSED, "x"));
        assertEquals(401, reuse.problem().status());
        assertEquals("refresh_token_reused", reuse.problem().code());
    }
}
