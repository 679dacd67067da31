package ai.universal.chat;

/**
 * A chat request that cannot be served as sent: the HTTP layer answers 400 in OpenAI's error shape, naming
 * {@link #param()} the way OpenAI does ({@code messages[2].role}, {@code temperature}).
 */
final class InvalidRequestException extends RuntimeException {
    private final String param;
    private final String code;

    InvalidRequestException(String param, String message) {
        this(param, "invalid_value", message);
    }

    InvalidRequestException(String param, String code, String message) {
        super(message, null, false, false);
        this.param = param;
        this.code = code;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }
}
