package ai.universal.kit.auth;

/**
 * Credentials were presented but are not valid. The message is safe to show the caller: it says what is wrong
 * with the token, never anything about keys or users.
 */
public class InvalidCredentialsException extends RuntimeException {
    /**
     * Create with a reason.
     *
     * @param reason safe reason
     */
    public InvalidCredentialsException(String reason) {
        super(reason, null, false, false);
    }
}
