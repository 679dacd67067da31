package ai.universal.chat;

/**
 * An upstream stream failed after the client had already received part of the answer. It is not retried (the client
 * would see the answer twice); the client's stream ends with an error chunk.
 */
final class StreamInterruptedException extends RuntimeException {
    StreamInterruptedException(UpstreamException cause) {
        super(cause.getMessage(), cause, false, false);
    }
}
