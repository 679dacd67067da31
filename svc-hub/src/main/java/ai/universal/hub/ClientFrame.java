package ai.universal.hub;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a client sends, one JSON text frame each. {@code id} (a number or a string) is echoed in the reply; frames
 * without an id still get error replies, just without an id.
 */
public sealed interface ClientFrame {
    /**
     * The request id, or null.
     *
     * @return id node
     */
    JsonNode id();

    /**
     * {@code {"id":1,"type":"connect","token":"…"}}: authenticate a connection opened without credentials.
     *
     * @param id    request id
     * @param token JWT or API key
     */
    record Connect(JsonNode id, String token) implements ClientFrame {
    }

    /**
     * {@code {"id":1,"type":"subscribe","channel":"room:x","since":{"offset":41,"epoch":"…"}}}.
     *
     * @param id      request id
     * @param channel channel
     * @param since   position to recover from, or null
     */
    record Subscribe(JsonNode id, Channel channel, Since since) implements ClientFrame {
    }

    /**
     * {@code {"id":2,"type":"unsubscribe","channel":"room:x"}}.
     *
     * @param id      request id
     * @param channel channel
     */
    record Unsubscribe(JsonNode id, Channel channel) implements ClientFrame {
    }

    /**
     * {@code {"id":3,"type":"publish","channel":"room:x","data":{…}}}.
     *
     * @param id      request id
     * @param channel channel
     * @param data    the payload, as JSON text
     */
    record Publish(JsonNode id, Channel channel, String data) implements ClientFrame {
    }

    /**
     * {@code {"id":4,"type":"presence","channel":"room:x"}}.
     *
     * @param id      request id
     * @param channel channel
     */
    record Presence(JsonNode id, Channel channel) implements ClientFrame {
    }

    /**
     * {@code {"id":5,"type":"refresh","token":"…"}}: a fresh token for the same user keeps the connection open.
     *
     * @param id    request id
     * @param token new token
     */
    record Refresh(JsonNode id, String token) implements ClientFrame {
    }

    /**
     * {@code {"type":"ping"}}, answered by {@code {"type":"pong"}}.
     *
     * @param id request id (optional)
     */
    record Ping(JsonNode id) implements ClientFrame {
    }

    /**
     * A recovery position.
     *
     * @param offset last offset the client has seen
     * @param epoch  epoch that offset belongs to
     */
    record Since(long offset, String epoch) {
    }
}
