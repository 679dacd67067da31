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

    /** End the response. */
    void end();
}
