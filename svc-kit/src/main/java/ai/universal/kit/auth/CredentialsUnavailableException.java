package ai.universal.kit.auth;

/**
 * Credentials could not be checked because the party that checks them (svc-auth) is unreachable: the caller gets
 * 503, not 401, because their credentials may well be good.
 */
public class CredentialsUnavailableException extends RuntimeException {
    /**
     * Create.
     *
     * @param message safe message
     */
    public CredentialsUnavailableException(String message) {
        super(message, null, false, false);
    }
}
