package ai.universal.hub;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The wire format: parses client frames and writes server frames (see the README for every frame).
 * <pre>
 * server → {"id":1,"type":"ok",…}   {"id":1,"type":"error","code":"…","message":"…"}
 *          {"type":"message","channel":…,"offset":42,"epoch":"…","data":{…},"publisher":"user id"}
 *          {"type":"join"|"leave","channel":…,"user":…}   {"type":"pong"}
 *          {"type":"connected","user":…,"node":…,"expires_at":…}   {"type":"token_expiring","expires_at":…}
 * </pre>
 */
public final class Frames {
    /** The mapper for frames. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Frames() {
    }

    /**
     * Parse a client frame.
     *
     * @param text frame text
     * @return frame
     * @throws FrameException when it is not a valid frame (carries the id when one was readable)
     */
    public static ClientFrame parse(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new FrameException(null, new HubException("bad_frame", "frame is not valid JSON"));
        }
        if (root == null || !root.isObject()) {
            throw new FrameException(null, new HubException("bad_frame", "frame must be a JSON object"));
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isIntegralNumber() && !id.isTextual()) {
            throw new FrameException(null, new HubException("bad_frame", "'id' must be an integer or a string"));
        }
        try {
            String type = text(root, "type");
            return switch (type) {
            case "connect" -> new ClientFrame.Connect(id, text(root, "token"));
            case "subscribe" -> new ClientFrame.Subscribe(id, channel(root), since(root.get("since")));
            case "unsubscribe" -> new ClientFrame.Unsubscribe(id, channel(root));
            case "publish" -> {
                JsonNode data = root.get("data");
                if (data == null || data.isMissingNode()) {
                    throw new HubException("bad_frame", "'data' is required");
                }
                yield new ClientFrame.Publish(id, channel(root), data.toString());
            }
            case "presence" -> new ClientFrame.Presence(id, channel(root));
            case "refresh" -> new ClientFrame.Refresh(id, text(root, "token"));
            case "ping" -> new ClientFrame.Ping(id);
            default -> throw new HubException("unknown_type", "unknown frame type '" + clip(type)
                    + "' (connect, subscribe, unsubscribe, publish, presence, refresh, ping)");
            };
        } catch (HubException e) {
            throw new FrameException(id, e);
        }
    }

    /**
     * {@code {"id":…,"type":"ok"}} to add fields to.
     *
     * @param id request id or null
     * @return node
     */
    public static ObjectNode ok(JsonNode id) {
        ObjectNode node = MAPPER.createObjectNode();
        if (id != null) {
            node.set("id", id);
        }
        node.put("type", "ok");
        return node;
    }

    /**
     * An error frame.
     *
     * @param id    request id or null
     * @param error error
     * @return frame text
     */
    public static String error(JsonNode id, HubException error) {
        ObjectNode node = MAPPER.createObjectNode();
        if (id != null) {
            node.set("id", id);
        }
        node.put("type", "error");
        node.put("code", error.code());
        node.put("message", error.getMessage());
        if (error.retryAfterMillis() > 0) {
            node.put("retry_after_ms", error.retryAfterMillis());
        }
        return node.toString();
    }

    /**
     * A frame of a type with no fields ({@code pong}).
     *
     * @param type type
     * @param id   request id or null
     * @return frame text
     */
    public static String simple(String type, JsonNode id) {
        ObjectNode node = MAPPER.createObjectNode();
        if (id != null) {
            node.set("id", id);
        }
        node.put("type", type);
        return node.toString();
    }

    /**
     * {@code join} or {@code leave}.
     *
     * @param type    join or leave
     * @param channel channel
     * @param user    user id
     * @return frame text
     */
    public static String presenceChange(String type, String channel, String user) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", type);
        node.put("channel", channel);
        node.put("user", user);
        return node.toString();
    }

    /**
     * The start of a message frame, up to where the offset goes: {@code {"type":"message","channel":"…",}.
     *
     * @param channel channel
     * @return text
     */
    public static String messageHead(String channel) {
        return "{\"type\":\"message\",\"channel\":" + quote(channel) + ",";
    }

    /**
     * The end of a message frame after the offset: {@code ,"data":…,"publisher":"…"}}.
     *
     * @param data      payload JSON
     * @param publisher publisher's user id
     * @return text
     */
    public static String messageTail(String data, String publisher) {
        return ",\"data\":" + data + ",\"publisher\":" + quote(publisher) + "}";
    }

    /**
     * A message frame with an offset and epoch.
     *
     * @param channel   channel
     * @param offset    offset
     * @param epoch     epoch
     * @param data      payload JSON
     * @param publisher publisher
     * @return frame text
     */
    public static String message(String channel, long offset, String epoch, String data, String publisher) {
        return messageHead(channel) + "\"offset\":" + offset + ",\"epoch\":" + quote(epoch) + messageTail(data, publisher);
    }

    /**
     * A message frame without an offset (channels without history; local delivery while Redis is away).
     *
     * @param channel   channel
     * @param data      payload JSON
     * @param publisher publisher
     * @return frame text
     */
    public static String message(String channel, String data, String publisher) {
        return messageHead(channel) + messageTail(data, publisher).substring(1);
    }

    /**
     * A JSON string literal.
     *
     * @param value value
     * @return quoted, escaped
     */
    public static String quote(String value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new HubException("bad_frame", "'" + field + "' is required");
        }
        if (node.getNodeType() != JsonNodeType.STRING) {
            throw new HubException("bad_frame", "'" + field + "' must be a string");
        }
        return node.asText();
    }

    private static Channel channel(JsonNode root) {
        return Channel.parse(text(root, "channel"));
    }

    private static ClientFrame.Since since(JsonNode since) {
        if (since == null || since.isNull()) {
            return null;
        }
        if (!since.isObject()) {
            throw new HubException("bad_frame", "'since' must be an object {\"offset\":…,\"epoch\":\"…\"}");
        }
        JsonNode offset = since.get("offset");
        JsonNode epoch = since.get("epoch");
        if (offset == null || !offset.isIntegralNumber() || offset.asLong() < 0) {
            throw new HubException("bad_frame", "'since.offset' must be a non-negative integer");
        }
        if (epoch == null || !epoch.isTextual()) {
            throw new HubException("bad_frame", "'since.epoch' must be a string");
        }
        return new ClientFrame.Since(offset.asLong(), epoch.asText());
    }

    private static String clip(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }

    /**
     * A frame that could not be parsed, with the request id when it was readable.
     */
    public static final class FrameException extends RuntimeException {
        private final transient JsonNode id;
        private final HubException error;

        FrameException(JsonNode id, HubException error) {
            super(error.getMessage(), null, false, false);
            this.id = id;
            this.error = error;
        }

        /**
         * Request id.
         *
         * @return id or null
         */
        public JsonNode id() {
            return id;
        }

        /**
         * The error.
         *
         * @return error
         */
        public HubException error() {
            return error;
        }
    }
}
