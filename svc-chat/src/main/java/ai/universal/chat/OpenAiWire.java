package ai.universal.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OpenAI's chat completions wire format, as upstream (OpenAI and compatible servers) and as what this gateway
 * answers. Upstream requests carry every field the client sent (logprobs, n, presence_penalty…) with the model
 * replaced, this gateway's extension fields removed and, for streams, {@code stream_options.include_usage} set so that
 * usage is always known.
 */
final class OpenAiWire {

    private OpenAiWire() {
    }

    static Completion complete(UpstreamHttp http, String baseUrl, String apiKey, String model, ChatRequest request,
                               Duration timeout) {
        return completion(http.postJson(URI.create(baseUrl + "/chat/completions"), headers(apiKey),
                                        request(request, model, false), timeout));
    }

    static void stream(UpstreamHttp http, String baseUrl, String apiKey, String model, ChatRequest request, Duration timeout,
                       StreamListener listener) {
        try (UpstreamHttp.StreamLines lines = http.postStream(URI.create(baseUrl + "/chat/completions"), headers(apiKey),
                                                              request(request, model, true), timeout, "text/event-stream")) {
            readStream(lines, listener);
            lines.completed();
        }
    }

    private static Map<String, String> headers(String apiKey) {
        return apiKey == null || apiKey.isBlank() ? Map.of() : Map.of("Authorization", "Bearer " + apiKey);
    }

    /**
     * The upstream request body.
     *
     * @param request request
     * @param model   upstream model
     * @param stream  whether to stream
     * @return body
     */
    static ObjectNode request(ChatRequest request, String model, boolean stream) {
        ObjectNode body = request.raw().deepCopy();
        body.put("model", model);
        body.remove("conversation_id");
        body.remove("memory");
        body.set("messages", messages(request.messages()));
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        } else {
            body.remove("stream");
            body.remove("stream_options");
        }
        return body;
    }

    static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode node = array.addObject();
            node.put("role", m.role());
            if (m.content() == null) {
                node.putNull("content");
            } else {
                node.set("content", m.content());
            }
            if (!m.toolCalls().isEmpty()) {
                node.set("tool_calls", toolCalls(m.toolCalls()));
            }
            if (m.toolCallId() != null) {
                node.put("tool_call_id", m.toolCallId());
            }
            if (m.name() != null) {
                node.put("name", m.name());
            }
        }
        return array;
    }

    static ArrayNode toolCalls(List<ToolCall> calls) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (ToolCall call : calls) {
            ObjectNode node = array.addObject();
            node.put("id", call.id());
            node.put("type", "function");
            node.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
        return array;
    }

    static Completion completion(JsonNode body) {
        JsonNode choice = body.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, "Upstream answer has no choices");
        }
        JsonNode message = choice.path("message");
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            calls.add(new ToolCall(call.path("id").asText(), call.path("function").path("name").asText(),
                                   call.path("function").path("arguments").asText("{}")));
        }
        JsonNode usage = body.path("usage");
        return new Completion(message.path("content").asText(""), calls, choice.path("finish_reason").asText("stop"),
                              usage.isObject() ? new Usage(usage.path("prompt_tokens").asInt(),
                                                           usage.path("completion_tokens").asInt()) : null);
    }

    /**
     * Read an OpenAI SSE stream: {@code data: {chunk}} events until {@code data: [DONE]}. An {@code error} object in
     * the stream, or the connection ending before the answer finished, is an {@link UpstreamException}.
     *
     * @param lines    stream
     * @param listener events
     */
    static void readStream(BufferedReader lines, StreamListener listener) {
        String finishReason = null;
        Usage usage = null;
        String line;
        while ((line = UpstreamHttp.readLine(lines)) != null) {
            if (!line.startsWith("data:")) {
                continue;
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                listener.on(new StreamEvent.Finished(finishReason == null ? "stop" : finishReason, usage));
                return;
            }
            JsonNode chunk = parse(data);
            if (chunk.has("error")) {
                JsonNode error = chunk.get("error");
                throw new UpstreamException(UpstreamException.Kind.SERVER, 0, "Upstream stream error: "
                        + error.path("message").asText(error.toString()));
            }
            JsonNode u = chunk.path("usage");
            if (u.isObject()) {
                usage = new Usage(u.path("prompt_tokens").asInt(), u.path("completion_tokens").asInt());
            }
            JsonNode choice = chunk.path("choices").path(0);
            if (choice.isMissingNode()) {
                continue;
            }
            JsonNode delta = choice.path("delta");
            JsonNode content = delta.path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                listener.on(new StreamEvent.Text(content.asText()));
            }
            for (JsonNode call : delta.path("tool_calls")) {
                JsonNode function = call.path("function");
                listener.on(new StreamEvent.ToolCallFragment(call.path("index").asInt(), call.path("id").asText(null),
                                                             function.path("name").asText(null),
                                                             function.path("arguments").asText("")));
            }
            if (choice.path("finish_reason").isTextual()) {
                finishReason = choice.path("finish_reason").asText();
            }
        }
        if (finishReason != null) {
            // some compatible servers end the connection without [DONE] after the last chunk
            listener.on(new StreamEvent.Finished(finishReason, usage));
            return;
        }
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Upstream stream ended before the answer finished");
    }

    static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 0, "Upstream sent a malformed stream event");
        }
    }
}
