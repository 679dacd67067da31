package ai.universal.chat;

import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translation between OpenAI's chat format and Anthropic's Messages API ({@code POST /v1/messages}).
 * <ul>
 *     <li>system and developer messages → the top-level {@code system} string</li>
 *     <li>image parts → {@code image} blocks ({@code base64} source for data URLs, {@code url} source otherwise)</li>
 *     <li>assistant tool_calls → {@code tool_use} blocks (arguments parsed to {@code input});
 *     tool messages → {@code tool_result} blocks in a user turn; consecutive same-role turns merged</li>
 *     <li>tools → {@code {name, description, input_schema}}; tool_choice auto/required/none/function →
 *     {@code auto}/{@code any}/{@code none}/{@code tool}; parallel_tool_calls=false → disable_parallel_tool_use</li>
 *     <li>stop → stop_sequences, user → metadata.user_id, max_tokens required (default when absent),
 *     temperature capped at 1 (Anthropic's range)</li>
 *     <li>stop_reason end_turn/stop_sequence/pause_turn → stop, max_tokens → length, tool_use → tool_calls,
 *     refusal → content_filter; usage input_tokens (+ cache tokens) / output_tokens → prompt/completion tokens</li>
 * </ul>
 */
final class AnthropicWire {

    private AnthropicWire() {
    }

    static ObjectNode request(ChatRequest request, String model, boolean stream, int defaultMaxTokens) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        ChatRequest.Sampling s = request.sampling();
        body.put("max_tokens", s.maxTokens() == null ? defaultMaxTokens : s.maxTokens());
        List<String> system = new ArrayList<>();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) {
            if (m.isSystem()) {
                system.add(m.text());
                continue;
            }
            String role = "assistant".equals(m.role()) ? "assistant" : "user";
            ArrayNode blocks = blocks(m);
            ObjectNode last = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
            if (last != null && last.path("role").asText().equals(role)) {
                ((ArrayNode) last.get("content")).addAll(blocks);
            } else {
                messages.addObject().put("role", role).set("content", blocks);
            }
        }
        for (JsonNode message : messages) {
            collapseSingleText((ObjectNode) message);
        }
        if (!system.isEmpty()) {
            body.put("system", String.join("\n\n", system));
        }
        if (s.temperature() != null) {
            body.put("temperature", Math.min(1.0, s.temperature()));
        }
        if (s.topP() != null) {
            body.put("top_p", s.topP());
        }
        if (!s.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            s.stop().forEach(stop::add);
        }
        if (request.user() != null) {
            body.putObject("metadata").put("user_id", request.user());
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                ObjectNode t = tools.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    t.put("description", tool.description());
                }
                if (tool.parameters() != null) {
                    t.set("input_schema", tool.parameters());
                } else {
                    t.putObject("input_schema").put("type", "object").putObject("properties");
                }
            }
            ObjectNode choice = toolChoice(request.toolChoice());
            if (request.raw().path("parallel_tool_calls").isBoolean() && !request.raw().path("parallel_tool_calls").asBoolean()) {
                if (choice == null) {
                    choice = Json.MAPPER.createObjectNode().put("type", "auto");
                }
                choice.put("disable_parallel_tool_use", true);
            }
            if (choice != null) {
                body.set("tool_choice", choice);
            }
        }
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    private static ObjectNode toolChoice(JsonNode choice) {
        if (choice == null) {
            return null;
        }
        if (choice.isTextual()) {
            return Json.MAPPER.createObjectNode().put("type", switch (choice.asText()) {
                case "required" -> "any";
                case "none" -> "none";
                default -> "auto";
            });
        }
        return Json.MAPPER.createObjectNode().put("type", "tool").put("name", choice.path("function").path("name").asText());
    }

    private static ArrayNode blocks(ChatMessage m) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        if ("tool".equals(m.role())) {
            blocks.addObject().put("type", "tool_result").put("tool_use_id", m.toolCallId()).put("content", m.text());
            return blocks;
        }
        if (m.content() != null && m.content().isArray()) {
            for (JsonNode part : m.content()) {
                if ("text".equals(part.path("type").asText())) {
                    blocks.addObject().put("type", "text").put("text", part.path("text").asText());
                } else {
                    JsonNode url = part.path("image_url");
                    String value = url.isTextual() ? url.asText() : url.path("url").asText();
                    ObjectNode image = blocks.addObject().put("type", "image");
                    ChatMessage.DataUrl data = ChatMessage.DataUrl.parse(value);
                    if (data != null) {
                        image.putObject("source").put("type", "base64").put("media_type", data.mediaType())
                                .put("data", data.base64());
                    } else {
                        image.putObject("source").put("type", "url").put("url", value);
                    }
                }
            }
        } else if (!m.text().isEmpty()) {
            blocks.addObject().put("type", "text").put("text", m.text());
        }
        for (ToolCall call : m.toolCalls()) {
            blocks.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                    .set("input", arguments(call.arguments()));
        }
        return blocks;
    }

    private static JsonNode arguments(String arguments) {
        try {
            JsonNode node = Json.MAPPER.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
            if (node.isObject()) {
                return node;
            }
        } catch (java.io.IOException e) {
            // not JSON: fall through
        }
        throw new InvalidRequestException("messages", "Tool call arguments must be a JSON object for this model");
    }

    private static void collapseSingleText(ObjectNode message) {
        JsonNode content = message.get("content");
        if (content.size() == 1 && "text".equals(content.get(0).path("type").asText())) {
            message.put("content", content.get(0).path("text").asText());
        }
    }

    static Completion completion(JsonNode body) {
        if (!"message".equals(body.path("type").asText())) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, "Anthropic answer is not a message");
        }
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : body.path("content")) {
            switch (block.path("type").asText()) {
            case "text" -> text.append(block.path("text").asText());
            case "tool_use" -> calls.add(new ToolCall(block.path("id").asText(), block.path("name").asText(),
                                                      block.path("input").toString()));
            default -> {
                // thinking and server-tool blocks have no OpenAI counterpart
            }
            }
        }
        return new Completion(text.toString(), calls, finishReason(body.path("stop_reason").asText(null)),
                              usage(body.path("usage"), 0));
    }

    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * An OpenAI finish reason in Anthropic's terms (for the reverse direction).
     *
     * @param finishReason OpenAI finish reason
     * @return Anthropic stop_reason
     */
    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    private static Usage usage(JsonNode usage, int knownInput) {
        int input = usage.path("input_tokens").asInt(knownInput) + usage.path("cache_creation_input_tokens").asInt(0)
                + usage.path("cache_read_input_tokens").asInt(0);
        return new Usage(input, usage.path("output_tokens").asInt(0));
    }

    /**
     * Read Anthropic's SSE stream (message_start, content_block_start/delta/stop, message_delta, message_stop, ping,
     * error).
     *
     * @param lines    stream
     * @param listener events
     */
    static void readStream(BufferedReader lines, StreamListener listener) {
        int inputTokens = 0;
        int outputTokens = 0;
        String stopReason = null;
        Map<Integer, Integer> toolIndexOfBlock = new HashMap<>();
        String line;
        while ((line = UpstreamHttp.readLine(lines)) != null) {
            if (!line.startsWith("data:")) {
                continue;
            }
            JsonNode event = OpenAiWire.parse(line.substring(5).strip());
            switch (event.path("type").asText()) {
            case "message_start" -> {
                Usage u = usage(event.path("message").path("usage"), 0);
                inputTokens = u.promptTokens();
                outputTokens = u.completionTokens();
            }
            case "content_block_start" -> {
                JsonNode block = event.path("content_block");
                if ("tool_use".equals(block.path("type").asText())) {
                    int toolIndex = toolIndexOfBlock.size();
                    toolIndexOfBlock.put(event.path("index").asInt(), toolIndex);
                    listener.on(new StreamEvent.ToolCallFragment(toolIndex, block.path("id").asText(),
                                                                 block.path("name").asText(), ""));
                } else if ("text".equals(block.path("type").asText()) && !block.path("text").asText("").isEmpty()) {
                    listener.on(new StreamEvent.Text(block.path("text").asText()));
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = event.path("delta");
                switch (delta.path("type").asText()) {
                case "text_delta" -> listener.on(new StreamEvent.Text(delta.path("text").asText()));
                case "input_json_delta" -> {
                    Integer toolIndex = toolIndexOfBlock.get(event.path("index").asInt());
                    if (toolIndex != null) {
                        listener.on(new StreamEvent.ToolCallFragment(toolIndex, null, null,
                                                                     delta.path("partial_json").asText("")));
                    }
                }
                default -> {
                    // thinking and signature deltas have no OpenAI counterpart
                }
                }
            }
            case "message_delta" -> {
                if (event.path("delta").path("stop_reason").isTextual()) {
                    stopReason = event.path("delta").path("stop_reason").asText();
                }
                JsonNode u = event.path("usage");
                if (u.has("output_tokens")) {
                    outputTokens = u.path("output_tokens").asInt();
                }
                if (u.has("input_tokens")) {
                    inputTokens = usage(u, 0).promptTokens();
                }
            }
            case "message_stop" -> {
                listener.on(new StreamEvent.Finished(finishReason(stopReason), new Usage(inputTokens, outputTokens)));
                return;
            }
            case "error" -> throw streamError(event.path("error"));
            default -> {
                // ping and unknown future events
            }
            }
        }
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Anthropic stream ended before message_stop");
    }

    private static UpstreamException streamError(JsonNode error) {
        String type = error.path("type").asText("api_error");
        String message = "Anthropic stream error: " + error.path("message").asText(type) + " [" + type + "]";
        UpstreamException.Kind kind = switch (type) {
            case "overloaded_error" -> UpstreamException.Kind.OVERLOADED;
            case "rate_limit_error" -> UpstreamException.Kind.RATE_LIMITED;
            case "invalid_request_error" -> UpstreamException.Kind.BAD_REQUEST;
            default -> UpstreamException.Kind.SERVER;
        };
        return new UpstreamException(kind, 0, message);
    }
}
