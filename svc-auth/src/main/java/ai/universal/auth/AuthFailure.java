package ai.universal.auth;

import java.time.Duration;

/**
 * Why an account operation was refused, in the domain's words. The HTTP layer maps each {@link Reason} to a status
 * and problem code ({@link AuthProblems}); the domain itself knows nothing of HTTP.
 */
public final class AuthFailure extends RuntimeException {

    /** The closed set of refusals. */
    public enum Reason {
        /** Unknown account or wrong password: deliberately one reason, so the two cannot be told apart. */
        INVALID_CREDENTIALS,
        /** Too many failed logins for the account or the address. */
        THROTTLED,
        /** Every password-hashing slot is busy. */
        BUSY,
        /** The email is already registered. */
        EMAIL_TAKEN,
        /** A field's value breaks a rule (the message says which). */
        INVALID_FIELD,
        /** The refresh token is unknown, expired or revoked. */
        INVALID_REFRESH_TOKEN,
        /** A refresh token that was already used came back: the family is revoked. */
        REFRESH_TOKEN_REUSED,
        /** The account is disabled. */
        ACCOUNT_DISABLED,
        /** No such user or key. */
        NOT_FOUND,
        /** The request conflicts with the current state. */
        CONFLICT
    }

    private final Reason reason;
    private final String field;
    private final String rule;
    private final Duration retryAfter;

    private AuthFailure(Reason reason, String message, String field, String rule, Duration retryAfter) {
        super(message, null, false, false);
        this.reason = reason;
        this.field = field;
        this.rule = rule;
        this.retryAfter = retryAfter;
    }

    /**
     * A refusal.
     *
     * @param reason  reason
     * @param message message safe to show the caller
     * @return failure
     */
    public static AuthFailure of(Reason reason, String message) {
        return new AuthFailure(reason, message, null, null, null);
    }

    /**
     * A field that breaks a rule.
     *
     * @param field   field name as the client sent it
     * @param message what rule it breaks
     * @return failure
     */
    public static AuthFailure invalid(String field, String message) {
        return new AuthFailure(Reason.INVALID_FIELD, message, field, null, null);
    }

    /**
     * A field that breaks a named rule (password policy), so clients can react to the rule, not the wording.
     *
     * @param field   field name
     * @param rule    machine-readable rule, e.g. {@code too_short}
     * @param message what rule it breaks
     * @return failure
     */
    public static AuthFailure invalid(String field, String rule, String message) {
        return new AuthFailure(Reason.INVALID_FIELD, message, field, rule, null);
    }

    /**
     * A refusal the caller may retry later.
     *
     * @param reason     {@link Reason#THROTTLED} or {@link Reason#BUSY}
     * @param message    message
     * @param retryAfter when to retry
     * @return failure
     */
    public static AuthFailure retryLater(Reason reason, String message, Duration retryAfter) {
        return new AuthFailure(reason, message, null, null, retryAfter);
    }

    /**
     * The reason.
     *
     * @return reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The offending field for {@link Reason#INVALID_FIELD}.
     *
     * @return field or null
     */
    public String field() {
        return field;
    }

    /**
     * The broken rule, when a field breaks a named rule.
     *
     * @return rule or null
     */
    public String rule() {
        return rule;
    }

    /**
     * When to retry, for {@link Reason#THROTTLED} and {@link Reason#BUSY}.
     *
     * @return duration or null
     */
    public Duration retryAfter() {
        return retryAfter;
    }
}
