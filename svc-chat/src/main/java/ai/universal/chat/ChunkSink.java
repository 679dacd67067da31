package ai.universal.chat;

import java.util.Map;

/** Where a streamed answer goes: the HTTP layer writes Server-Sent Events. */
interface ChunkSink {
    /**
     * Commit the response (200, text/event-stream) with these headers; called once, before the first event.
     *
     * @param headers extra headers
     */
    void begin(Map<String, String> headers);

    /**
     * Send one {@code data:} event and flush it.
     *
     * @param data event data (a JSON chunk or {@code [DONE]})
     */
    void event(String data);

    /**
     * Write one {@code data:} event without flushing it: it leaves with the next {@link #event(String)}. The role chunk
     * goes out together with the first content chunk, so the first token is one TCP segment, not two (a second small
     * segment would wait for the client's delayed ACK while Nagle's algorithm is on).
     *
     * @param data event data
     */
    default void pending(String data) {
        event(data);
    }

    /** End the response. */
    void end();
}
