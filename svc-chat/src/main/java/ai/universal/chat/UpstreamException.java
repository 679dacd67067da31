package ai.universal.chat;

/**
 * An upstream LLM API failed. The kind decides what the router does next: retry the same deployment, move to the next
 * one, switch to a context-window fallback, or give the client the upstream's verdict.
 */
final class UpstreamException extends RuntimeException {

    /** What went wrong, independent of the provider's own words. */
    enum Kind {
        /** Could not connect. */
        CONNECT(true, true),
        /** No answer in time. */
        TIMEOUT(true, true),
        /** 429 from the upstream. */
        RATE_LIMITED(true, true),
        /** 529 / 503: the upstream is overloaded. */
        OVERLOADED(true, true),
        /** 5xx. */
        SERVER(true, true),
        /** The stream broke or the body was not in the provider's format. */
        PROTOCOL(true, true),
        /** 401/403: this deployment's key is wrong; another deployment may work. */
        AUTH(false, true),
        /** 404: the upstream does not have the model. */
        NOT_FOUND(false, true),
        /** The prompt does not fit the model's context window. */
        CONTEXT_LENGTH(false, false),
        /** The upstream rejected the request itself (400/422): every deployment would. */
        BAD_REQUEST(false, false);

        private final boolean retrySame;
        private final boolean tryNext;

        Kind(boolean retrySame, boolean tryNext) {
            this.retrySame = retrySame;
            this.tryNext = tryNext;
        }

        boolean retrySame() {
            return retrySame;
        }

        boolean tryNext() {
            return tryNext;
        }

        /** Whether this counts against the deployment's health (a bad request is the caller's fault). */
        boolean deploymentFault() {
            return this != BAD_REQUEST && this != CONTEXT_LENGTH;
        }
    }

    private final Kind kind;
    private final int status;

    UpstreamException(Kind kind, int status, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
    }

    UpstreamException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.status = status;
    }

    Kind kind() {
        return kind;
    }

    /** HTTP status from the upstream, 0 when there was none. */
    int status() {
        return status;
    }

    /**
     * Classify an upstream HTTP error status.
     *
     * @param status  status
     * @param message the provider's message
     * @return exception
     */
    static UpstreamException ofStatus(int status, String message) {
        Kind kind = switch (status) {
            case 401, 403 -> Kind.AUTH;
            case 404 -> Kind.NOT_FOUND;
            case 408 -> Kind.TIMEOUT;
            case 429 -> Kind.RATE_LIMITED;
            case 503, 529 -> Kind.OVERLOADED;
            default -> status >= 500 ? Kind.SERVER : Kind.BAD_REQUEST;
        };
        String lower = message == null ? "" : message.toLowerCase();
        if (kind == Kind.BAD_REQUEST && (lower.contains("context_length_exceeded") || lower.contains("context length")
                || lower.contains("prompt is too long") || lower.contains("maximum context"))) {
            kind = Kind.CONTEXT_LENGTH;
        }
        return new UpstreamException(kind, status, message == null ? "HTTP " + status : message);
    }
}
