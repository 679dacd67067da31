package ai.universal.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat completion request as OpenAI specifies it, validated, plus this gateway's two extension fields:
 * {@code conversation_id} (prior messages are loaded, new ones stored) and {@code memory}
 * ({@code {"enabled": true, "limit": 5}}: the user's memories go into the system prompt).
 *
 * @param model          the model alias asked for
 * @param messages       messages, in order
 * @param sampling       temperature, top_p, max_tokens, stop, seed
 * @param tools          functions the model may call
 * @param toolChoice     tool_choice as sent (null, "auto", "none", "required" or {type:function,…})
 * @param responseFormat response_format as sent (may be null)
 * @param stream         whether to stream
 * @param includeUsage   stream_options.include_usage
 * @param user           the end-user id sent by the client (may be null)
 * @param conversationId stored conversation to continue (may be null)
 * @param memory         memory options
 * @param raw            the body as sent, for OpenAI-wire upstreams that take every field unchanged
 */
record ChatRequest(String model, List<ChatMessage> messages, Sampling sampling, List<ToolSpec> tools, JsonNode toolChoice,
                   JsonNode responseFormat, boolean stream, boolean includeUsage, String user, UUID conversationId,
                   MemoryOptions memory, ObjectNode raw) {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    /**
     * Sampling parameters; null when not sent.
     *
     * @param temperature 0–2
     * @param topP        0–1
     * @param maxTokens   max_completion_tokens or max_tokens
     * @param stop        stop sequences (up to 4)
     * @param seed        seed
     */
    record Sampling(Double temperature, Double topP, Integer maxTokens, List<String> stop, Long seed) {
    }

    /**
     * Memory-augmented chat.
     *
     * @param enabled whether to fetch memories
     * @param limit   how many (1–20)
     */
    record MemoryOptions(boolean enabled, int limit) {
        static final MemoryOptions OFF = new MemoryOptions(false, 0);
    }

    ChatRequest withMessages(List<ChatMessage> replaced) {
        return new ChatRequest(model, List.copyOf(replaced), sampling, tools, toolChoice, responseFormat, stream, includeUsage,
                               user, conversationId, memory, raw);
    }

    /**
     * The text of the last user message (what memories are searched for).
     *
     * @return text, or empty
     */
    String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).role())) {
                return messages.get(i).text();
            }
        }
        return "";
    }

    /**
     * Validate and read a request body.
     *
     * @param body JSON body
     * @return request
     * @throws InvalidRequestException naming the offending parameter
     */
    static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(null, "The request body must be a JSON object");
        }
        ObjectNode raw = (ObjectNode) body;
        String model = requiredString(raw, "model");
        JsonNode messagesNode = raw.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw new InvalidRequestException("messages", "'messages' must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < messagesNode.size(); i++) {
            messages.add(message(messagesNode.get(i), "messages[" + i + "]"));
        }
        Double temperature = number(raw, "temperature", 0, 2);
        Double topP = number(raw, "top_p", 0, 1);
        Integer maxTokens = positiveInt(raw, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(raw, "max_tokens");
        }
        List<String> stop = stop(raw.get("stop"));
        Long seed = null;
        if (present(raw, "seed")) {
            if (!raw.get("seed").canConvertToLong() || !raw.get("seed").isIntegralNumber()) {
                throw new InvalidRequestException("seed", "'seed' must be an integer");
            }
            seed = raw.get("seed").asLong();
        }
        if (present(raw, "n") && (!raw.get("n").isInt() || raw.get("n").asInt() != 1)) {
            throw new InvalidRequestException("n", "Only n=1 is supported");
        }
        List<ToolSpec> tools = tools(raw.get("tools"));
        JsonNode toolChoice = toolChoice(raw.get("tool_choice"), tools);
        JsonNode responseFormat = present(raw, "response_format") ? raw.get("response_format") : null;
        if (responseFormat != null && (!responseFormat.isObject()
                || !Set.of("text", "json_object", "json_schema").contains(responseFormat.path("type").asText()))) {
            throw new InvalidRequestException("response_format.type",
                                              "'response_format.type' must be text, json_object or json_schema");
        }
        boolean stream = bool(raw, "stream");
        boolean includeUsage = false;
        if (present(raw, "stream_options")) {
            JsonNode options = raw.get("stream_options");
            if (!options.isObject()) {
                throw new InvalidRequestException("stream_options", "'stream_options' must be an object");
            }
            if (!stream) {
                throw new InvalidRequestException("stream_options", "'stream_options' is only allowed with stream: true");
            }
            includeUsage = options.path("include_usage").asBoolean(false);
        }
        String user = present(raw, "user") ? requiredString(raw, "user") : null;
        UUID conversationId = null;
        if (present(raw, "conversation_id")) {
            try {
                conversationId = UUID.fromString(requiredString(raw, "conversation_id"));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("conversation_id", "'conversation_id' must be a conversation id (UUID)");
            }
        }
        return new ChatRequest(model, List.copyOf(messages), new Sampling(temperature, topP, maxTokens, stop, seed),
                               tools, toolChoice, responseFormat, stream, includeUsage, user, conversationId,
                               memory(raw.get("memory")), raw);
    }

    private static ChatMessage message(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new InvalidRequestException(path, "'" + path + "' must be an object");
        }
        String role = node.path("role").asText(null);
        if (role == null || !ROLES.contains(role)) {
            throw new InvalidRequestException(path + ".role",
                                              "'" + path + ".role' must be one of system, developer, user, assistant, tool");
        }
        JsonNode content = node.get("content");
        List<ToolCall> toolCalls = new ArrayList<>();
        if (node.has("tool_calls") && !node.get("tool_calls").isNull()) {
            JsonNode calls = node.get("tool_calls");
            if (!"assistant".equals(role) || !calls.isArray()) {
                throw new InvalidRequestException(path + ".tool_calls", "'tool_calls' is an array on assistant messages only");
            }
            for (int i = 0; i < calls.size(); i++) {
                JsonNode call = calls.get(i);
                String callPath = path + ".tool_calls[" + i + "]";
                JsonNode function = call.path("function");
                if (!call.path("id").isTextual() || !function.path("name").isTextual()) {
                    throw new InvalidRequestException(callPath, "'" + callPath + "' needs an id and function.name");
                }
                JsonNode args = function.path("arguments");
                toolCalls.add(new ToolCall(call.get("id").asText(), function.get("name").asText(),
                                           args.isTextual() ? args.asText() : args.isMissingNode() ? "{}" : args.toString()));
            }
        }
        if (content == null || content.isNull()) {
            if (!"assistant".equals(role) || toolCalls.isEmpty()) {
                throw new InvalidRequestException(path + ".content", "'" + path + ".content' is required");
            }
        } else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                part(content.get(i), path + ".content[" + i + "]");
            }
        } else if (!content.isTextual()) {
            throw new InvalidRequestException(path + ".content", "'" + path + ".content' must be a string or an array of parts");
        }
        String toolCallId = node.path("tool_call_id").asText(null);
        if ("tool".equals(role) && toolCallId == null) {
            throw new InvalidRequestException(path + ".tool_call_id", "A tool message needs 'tool_call_id'");
        }
        return new ChatMessage(role, content, toolCalls, toolCallId, node.path("name").asText(null));
    }

    private static void part(JsonNode part, String path) {
        String type = part.path("type").asText();
        switch (type) {
        case "text" -> {
            if (!part.path("text").isTextual()) {
                throw new InvalidRequestException(path + ".text", "A text part needs 'text'");
            }
        }
        case "image_url" -> {
            JsonNode url = part.path("image_url");
            String value = url.isTextual() ? url.asText() : url.path("url").asText("");
            if (!(value.startsWith("data:") || value.startsWith("https://") || value.startsWith("http://"))) {
                throw new InvalidRequestException(path + ".image_url.url", "An image part needs an http(s) or data: URL");
            }
        }
        default -> throw new InvalidRequestException(path + ".type", "Content part type must be text or image_url");
        }
    }

    private static List<ToolSpec> tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidRequestException("tools", "'tools' must be an array");
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode tool = node.get(i);
            JsonNode function = tool.path("function");
            if (!"function".equals(tool.path("type").asText()) || !function.path("name").isTextual()) {
                throw new InvalidRequestException("tools[" + i + "]", "A tool needs type 'function' and function.name");
            }
            JsonNode parameters = function.get("parameters");
            tools.add(new ToolSpec(function.get("name").asText(), function.path("description").asText(null),
                                   parameters == null || parameters.isNull() ? null : parameters));
        }
        return List.copyOf(tools);
    }

    private static JsonNode toolChoice(JsonNode node, List<ToolSpec> tools) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && Set.of("auto", "none", "required").contains(node.asText())) {
            return node;
        }
        if (node.isObject() && "function".equals(node.path("type").asText()) && node.path("function").path("name").isTextual()) {
            String name = node.path("function").path("name").asText();
            if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                throw new InvalidRequestException("tool_choice", "tool_choice names '" + name + "', which is not in 'tools'");
            }
            return node;
        }
        throw new InvalidRequestException("tool_choice",
                                          "'tool_choice' must be auto, none, required or {type:function, function:{name}}");
    }

    private static MemoryOptions memory(JsonNode node) {
        if (node == null || node.isNull()) {
            return MemoryOptions.OFF;
        }
        if (node.isBoolean()) {
            return node.asBoolean() ? new MemoryOptions(true, 5) : MemoryOptions.OFF;
        }
        if (!node.isObject()) {
            throw new InvalidRequestException("memory", "'memory' must be an object like {\"enabled\": true, \"limit\": 5}");
        }
        JsonNode limit = node.path("limit");
        int n = 5;
        if (!limit.isMissingNode()) {
            if (!limit.isInt() || limit.asInt() < 1 || limit.asInt() > 20) {
                throw new InvalidRequestException("memory.limit", "'memory.limit' must be an integer from 1 to 20");
            }
            n = limit.asInt();
        }
        return new MemoryOptions(node.path("enabled").asBoolean(true), n);
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (node.isArray() && node.size() <= 4) {
            List<String> stop = new ArrayList<>();
            for (JsonNode s : node) {
                if (!s.isTextual()) {
                    throw new InvalidRequestException("stop", "'stop' must be a string or up to 4 strings");
                }
                stop.add(s.asText());
            }
            return List.copyOf(stop);
        }
        throw new InvalidRequestException("stop", "'stop' must be a string or up to 4 strings");
    }

    private static boolean present(JsonNode node, String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    private static String requiredString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRequestException(field, "'" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        if (!present(node, field)) {
            return false;
        }
        if (!node.get(field).isBoolean()) {
            throw new InvalidRequestException(field, "'" + field + "' must be true or false");
        }
        return node.get(field).asBoolean();
    }

    private static Double number(JsonNode node, String field, double min, double max) {
        if (!present(node, field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidRequestException(field, "'" + field + "' must be a number from " + (int) min + " to " + (int) max);
        }
        return value.asDouble();
    }

    private static Integer positiveInt(JsonNode node, String field) {
        if (!present(node, field)) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isInt() || value.asInt() < 1) {
            throw new InvalidRequestException(field, "'" + field + "' must be a positive integer");
        }
        return value.asInt();
    }
}
