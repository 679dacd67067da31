package ai.universal.hub;

/**
 * A request the hub refuses, with the protocol error code a client sees in an {@code error} frame (and the HTTP layer
 * maps to a 4xx status): {@code bad_frame}, {@code unknown_type}, {@code invalid_channel}, {@code forbidden},
 * {@code not_subscribed}, {@code too_many_channels}, {@code frame_too_large}, {@code rate_limited},
 * {@code not_authenticated}, {@code already_authenticated}, {@code invalid_token}, {@code subject_mismatch},
 * {@code binary_not_supported}, {@code history_disabled}, {@code unavailable}.
 */
public final class HubException extends RuntimeException {
    private final String code;
    private final long retryAfterMillis;

    /**
     * Create.
     *
     * @param code    protocol error code
     * @param message what went wrong, for people
     */
    public HubException(String code, String message) {
        this(code, message, 0);
    }

    /**
     * Create with a retry hint.
     *
     * @param code             protocol error code
     * @param message          what went wrong
     * @param retryAfterMillis when trying again can succeed (0 = no hint)
     */
    public HubException(String code, String message, long retryAfterMillis) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterMillis = retryAfterMillis;
    }

    /**
     * Protocol error code.
     *
     * @return code
     */
    public String code() {
        return code;
    }

    /**
     * Retry hint.
     *
     * @return milliseconds, 0 when none
     */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
