package ai.universal.chat;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * One message of a conversation in OpenAI's terms. The content is kept as sent (a string, an array of parts, or
 * null for an assistant message that only calls tools), so an OpenAI upstream gets it unchanged and the translators
 * read text and images from it.
 *
 * @param role       system, developer, user, assistant or tool
 * @param content    content as sent (TextNode, ArrayNode of parts, or null)
 * @param toolCalls  the assistant's tool calls (may be empty)
 * @param toolCallId for a tool message: the call it answers
 * @param name       optional participant name
 */
record ChatMessage(String role, JsonNode content, List<ToolCall> toolCalls, String toolCallId, String name) {

    ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    static ChatMessage of(String role, String text) {
        return new ChatMessage(role, TextNode.valueOf(text), List.of(), null, null);
    }

    static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
        JsonNode content = text.isEmpty() && !toolCalls.isEmpty() ? JsonNodeFactory.instance.nullNode() : TextNode.valueOf(text);
        return new ChatMessage("assistant", content, toolCalls, null, null);
    }

    boolean isSystem() {
        return "system".equals(role) || "developer".equals(role);
    }

    /**
     * The text of the message: the string content, or its text parts joined by newlines.
     *
     * @return text, never null
     */
    String text() {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                texts.add(part.path("text").asText());
            }
        }
        return String.join("\n", texts);
    }

    /**
     * Image parts.
     *
     * @return image URLs ({@code data:} or {@code https:}), in order
     */
    List<String> imageUrls() {
        if (content == null || !content.isArray()) {
            return List.of();
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode part : content) {
            if ("image_url".equals(part.path("type").asText())) {
                JsonNode url = part.path("image_url");
                urls.add(url.isTextual() ? url.asText() : url.path("url").asText());
            }
        }
        return urls;
    }

    /**
     * A data URL split into media type and base64 data.
     *
     * @param mediaType e.g. image/png
     * @param base64    data
     */
    record DataUrl(String mediaType, String base64) {
        static DataUrl parse(String url) {
            if (!url.startsWith("data:")) {
                return null;
            }
            int comma = url.indexOf(',');
            int semicolon = url.indexOf(';');
            if (comma < 0 || semicolon < 0 || semicolon > comma || !url.substring(semicolon, comma).equals(";base64")) {
                return null;
            }
            return new DataUrl(url.substring(5, semicolon), url.substring(comma + 1));
        }
    }
}
