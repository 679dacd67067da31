package ai.universal.chat;

import java.util.Map;

/**
 * A chat request ends without an answer: the HTTP layer writes it in OpenAI's error shape with this status, code,
 * param and headers (x-ratelimit-*, Retry-After).
 */
final class ChatFailure extends RuntimeException {
    private final int status;
    private final String code;
    private final String param;
    private final Map<String, String> headers;

    ChatFailure(int status, String code, String message, String param, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.param = param;
        this.headers = Map.copyOf(headers);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String param() {
        return param;
    }

    Map<String, String> headers() {
        return headers;
    }
}
