package ai.universal.chat;

import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translation between OpenAI's chat format and Ollama's native {@code POST /api/chat}: sampling parameters go into
 * {@code options} (temperature, top_p, num_predict, stop, seed), images into {@code images} as base64 (data URLs only),
 * tool calls carry arguments as objects and have no ids (the gateway makes them), tool results name their function in
 * {@code tool_name}, response_format becomes {@code format} ("json" or the schema). The stream is NDJSON: one
 * {@code {message:{content}, done:false}} per piece, then {@code done:true} with {@code done_reason},
 * {@code prompt_eval_count} and {@code eval_count}; {@code {"error": "…"}} reports a failure.
 */
final class OllamaWire {

    private OllamaWire() {
    }

    static ObjectNode request(ChatRequest request, String model, boolean stream) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        Map<String, String> toolNames = new HashMap<>();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) {
            ObjectNode node = messages.addObject();
            node.put("role", "developer".equals(m.role()) ? "system" : m.role());
            node.put("content", m.text());
            List<String> images = m.imageUrls();
            if (!images.isEmpty()) {
                ArrayNode array = node.putArray("images");
                for (String url : images) {
                    ChatMessage.DataUrl data = ChatMessage.DataUrl.parse(url);
                    if (data == null) {
                        throw new InvalidRequestException("messages", "Ollama models take images as data: URLs only");
                    }
                    array.add(data.base64());
                }
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = node.putArray("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    toolNames.put(call.id(), call.name());
                    calls.addObject().putObject("function").put("name", call.name()).set("arguments", arguments(call));
                }
            }
            if ("tool".equals(m.role()) && toolNames.containsKey(m.toolCallId())) {
                node.put("tool_name", toolNames.get(m.toolCallId()));
            }
        }
        body.put("stream", stream);
        ChatRequest.Sampling s = request.sampling();
        ObjectNode options = Json.MAPPER.createObjectNode();
        if (s.temperature() != null) {
            options.put("temperature", s.temperature());
        }
        if (s.topP() != null) {
            options.put("top_p", s.topP());
        }
        if (s.maxTokens() != null) {
            options.put("num_predict", s.maxTokens());
        }
        if (!s.stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            s.stop().forEach(stop::add);
        }
        if (s.seed() != null) {
            options.put("seed", s.seed());
        }
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        if (!request.tools().isEmpty() && !(request.toolChoice() != null && "none".equals(request.toolChoice().asText()))) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                if (tool.description() != null) {
                    function.put("description", tool.description());
                }
                if (tool.parameters() != null) {
                    function.set("parameters", tool.parameters());
                }
            }
        }
        JsonNode format = request.responseFormat();
        if (format != null) {
            switch (format.path("type").asText()) {
            case "json_object" -> body.put("format", "json");
            case "json_schema" -> body.set("format", format.path("json_schema").path("schema"));
            default -> {
                // text: Ollama's default
            }
            }
        }
        return body;
    }

    private static JsonNode arguments(ToolCall call) {
        try {
            return Json.MAPPER.readTree(call.arguments());
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("messages", "Tool call arguments must be JSON for this model");
        }
    }

    static Completion completion(JsonNode body) {
        if (body.has("error")) {
            throw new UpstreamException(UpstreamException.Kind.SERVER, 200, body.path("error").asText());
        }
        JsonNode message = body.path("message");
        List<ToolCall> calls = toolCalls(message, 0);
        return new Completion(message.path("content").asText(""), calls, finishReason(body, !calls.isEmpty()), usage(body));
    }

    private static List<ToolCall> toolCalls(JsonNode message, int firstIndex) {
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            calls.add(new ToolCall(call.path("id").asText("call_" + UUID.randomUUID().toString().replace("-", "")
                    .substring(0, 24)), function.path("name").asText(), function.path("arguments").toString()));
        }
        return calls;
    }

    private static String finishReason(JsonNode body, boolean toolCalls) {
        if (toolCalls) {
            return "tool_calls";
        }
        return "length".equals(body.path("done_reason").asText()) ? "length" : "stop";
    }

    private static Usage usage(JsonNode body) {
        return new Usage(body.path("prompt_eval_count").asInt(0), body.path("eval_count").asInt(0));
    }

    static void readStream(BufferedReader lines, StreamListener listener) {
        int toolIndex = 0;
        String line;
        while ((line = UpstreamHttp.readLine(lines)) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode chunk = OpenAiWire.parse(line);
            if (chunk.has("error")) {
                throw new UpstreamException(UpstreamException.Kind.SERVER, 0, "Ollama stream error: "
                        + chunk.path("error").asText());
            }
            JsonNode message = chunk.path("message");
            String content = message.path("content").asText("");
            if (!content.isEmpty()) {
                listener.on(new StreamEvent.Text(content));
            }
            for (ToolCall call : toolCalls(message, toolIndex)) {
                listener.on(new StreamEvent.ToolCallFragment(toolIndex++, call.id(), call.name(), call.arguments()));
            }
            if (chunk.path("done").asBoolean(false)) {
                listener.on(new StreamEvent.Finished(finishReason(chunk, toolIndex > 0), usage(chunk)));
                return;
            }
        }
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Ollama stream ended before done");
    }
}
