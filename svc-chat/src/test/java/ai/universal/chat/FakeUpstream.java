package ai.universal.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the cloud and local LLM APIs, speaking each one's documented wire format: OpenAI's
 * {@code /v1/chat/completions} (JSON, or SSE {@code data:} chunks ending in {@code data: [DONE]}), Anthropic's
 * {@code /v1/messages} (JSON, or SSE with {@code event:} lines: message_start, content_block_start, ping,
 * content_block_delta, content_block_stop, message_delta, message_stop, error), Ollama's {@code /api/chat} (JSON, or
 * NDJSON ending in a {@code "done": true} line) and {@code /api/tags}. Mounted under /openai, /compat, /anthropic and
 * /ollama. The upstream model name picks the behaviour:
 * <ul>
 *     <li>anything: answers "Hello from &lt;kind&gt;!" (4 pieces when streamed), usage 12 prompt / 5 completion</li>
 *     <li>{@code *-tools}: calls get_weather({"city":"Paris"})</li>
 *     <li>{@code *-500}, {@code *-429}, {@code *-badrequest}, {@code *-context}: that error in the provider's shape</li>
 *     <li>{@code *-midstream}: streams two pieces, then fails in the provider's way (OpenAI: connection ends without
 *     [DONE]; Anthropic: {@code event: error} overloaded_error; Ollama: an {@code {"error"}} line)</li>
 *     <li>{@code *-slow} (OpenAI): answers only after 5 s, as an upstream that hangs</li>
 *     <li>{@code *-stall} (OpenAI, streamed): streams two pieces, then sends nothing more for 10 s</li>
 * </ul>
 * {@link #failNext(String, int)} makes the next n calls for a model answer 500.
 */
final class FakeUpstream implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PIECES = List.of("Hello", " from", " %s", "!");

    private final HttpServer server;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> lastBody = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();

    FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/openai/v1/chat/completions", ex -> handle(ex, "openai"));
        server.createContext("/compat/v1/chat/completions", ex -> handle(ex, "compat"));
        server.createContext("/anthropic/v1/messages", ex -> handle(ex, "anthropic"));
        server.createContext("/ollama/api/chat", ex -> handle(ex, "ollama"));
        server.createContext("/ollama/api/tags", ex -> send(ex, 200, "application/json", """
                {"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-05-04T17:37:44.706015396-07:00",
                "size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
                "details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B",
                "quantization_level":"Q4_K_M"}}]}"""));
        server.createContext("/compat/v1/models", ex -> send(ex, 200, "application/json", """
                {"object":"list","data":[{"id":"compat-model","object":"model","created":1715367049,"owned_by":"vllm"}]}"""));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String base(String mount) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + mount;
    }

    int calls(String kind, String model) {
        return calls.getOrDefault(kind + ":" + model, new AtomicInteger()).get();
    }

    JsonNode lastBody(String kind) {
        return lastBody.get(kind);
    }

    Map<String, String> lastHeaders(String kind) {
        return lastHeaders.get(kind);
    }

    void failNext(String model, int n) {
        failures.computeIfAbsent(model, m -> new AtomicInteger()).set(n);
    }

    void reset() {
        calls.clear();
        failures.clear();
        lastBody.clear();
    }

    private void handle(HttpExchange ex, String kind) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        lastBody.put(kind, body);
        lastHeaders.put(kind, Map.of("authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
                                     "x-api-key", String.valueOf(ex.getRequestHeaders().getFirst("x-api-key")),
                                     "anthropic-version", String.valueOf(ex.getRequestHeaders().getFirst("anthropic-version"))));
        String model = body.path("model").asText();
        calls.computeIfAbsent(kind + ":" + model, k -> new AtomicInteger()).incrementAndGet();
        boolean stream = body.path("stream").asBoolean(false);
        AtomicInteger failing = failures.get(model);
        if (failing != null && failing.getAndDecrement() > 0) {
            error(ex, kind, 500, "server");
            return;
        }
        if (model.endsWith("-slow")) {
            pause(5000);
        }
        if (model.endsWith("-500")) {
            error(ex, kind, 500, "server");
        } else if (model.endsWith("-429")) {
            error(ex, kind, 429, "rate");
        } else if (model.endsWith("-badrequest")) {
            error(ex, kind, 400, "bad");
        } else if (model.endsWith("-context")) {
            error(ex, kind, 400, "context");
        } else if (kind.equals("anthropic")) {
            anthropic(ex, model, stream);
        } else if (kind.equals("ollama")) {
            ollama(ex, model, stream);
        } else {
            openAi(ex, model, stream, kind);
        }
    }

    private void error(HttpExchange ex, String kind, int status, String what) throws IOException {
        String message = switch (what) {
            case "context" -> kind.equals("anthropic") ? "prompt is too long: 210000 tokens > 200000 maximum"
                    : "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.";
            case "bad" -> "Invalid value for 'temperature'";
            case "rate" -> "Rate limit reached for requests";
            default -> "The server had an error while processing your request.";
        };
        String body = switch (kind) {
            case "anthropic" -> JSON.createObjectNode().put("type", "error").set("error", JSON.createObjectNode()
                    .put("type", switch (status) {
                        case 400 -> "invalid_request_error";
                        case 429 -> "rate_limit_error";
                        default -> "api_error";
                    }).put("message", message)).toString();
            case "ollama" -> JSON.createObjectNode().put("error", message).toString();
            default -> JSON.createObjectNode().set("error", JSON.createObjectNode().put("message", message)
                    .put("type", status == 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error")
                    .putNull("param").put("code", what.equals("context") ? "context_length_exceeded" : null)).toString();
        };
        send(ex, status, "application/json", body);
    }

    private void openAi(HttpExchange ex, String model, boolean stream, String kind) throws IOException {
        String name = kind.equals("compat") ? "compat" : "openai";
        String id = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT";
        boolean tools = model.endsWith("-tools");
        if (!stream) {
            String message = tools
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_abc123\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}],"
                            + "\"refusal\":null,\"annotations\":[]}"
                    : "{\"role\":\"assistant\",\"content\":\"Hello from " + name + "!\",\"refusal\":null,\"annotations\":[]}";
            send(ex, 200, "application/json", "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":1741569952,"
                    + "\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"logprobs\":null,"
                    + "\"finish_reason\":\"" + (tools ? "tool_calls" : "stop") + "\"}],\"usage\":{\"prompt_tokens\":12,"
                    + "\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":0,"
                    + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                    + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
                    + "\"system_fingerprint\":\"fp_44709d6fcb\"}");
            return;
        }
        boolean usage = ex.getRequestURI() != null && lastBody.get(kind).path("stream_options").path("include_usage").asBoolean();
        String prefix = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\""
                + model + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[";
        String suffix = "]" + (usage ? ",\"usage\":null" : "") + "}";
        try (OutputStream out = beginStream(ex, "text/event-stream")) {
            event(out, "data: " + prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                    + "\"logprobs\":null,\"finish_reason\":null}" + suffix + "\n\n");
            if (tools) {
                event(out, "data: " + prefix + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc123\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},"
                        + "\"logprobs\":null,\"finish_reason\":null}" + suffix + "\n\n");
                for (String part : List.of("{\\\"city\\\":", "\\\"Paris\\\"}")) {
                    event(out, "data: " + prefix + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                            + "{\"arguments\":\"" + part + "\"}}]},\"logprobs\":null,\"finish_reason\":null}" + suffix + "\n\n");
                }
            } else {
                List<String> pieces = pieces(name);
                for (int i = 0; i < pieces.size(); i++) {
                    if (model.endsWith("-midstream") && i == 2) {
                        return;
                    }
                    if (model.endsWith("-stall") && i == 2) {
                        pause(10_000);
                    }
                    event(out, "data: " + prefix + "{\"index\":0,\"delta\":{\"content\":\"" + pieces.get(i) + "\"},"
                            + "\"logprobs\":null,\"finish_reason\":null}" + suffix + "\n\n");
                }
            }
            event(out, "data: " + prefix + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\""
                    + (tools ? "tool_calls" : "stop") + "\"}" + suffix + "\n\n");
            if (usage) {
                event(out, "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\""
                        + model + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n");
            }
            event(out, "data: [DONE]\n\n");
        }
    }

    private void anthropic(HttpExchange ex, String model, boolean stream) throws IOException {
        boolean tools = model.endsWith("-tools");
        String id = "msg_01XFDUDYJgAACzvnptvVoYEL";
        if (!stream) {
            String content = tools
                    ? "[{\"type\":\"text\",\"text\":\"Let me check.\"},{\"type\":\"tool_use\",\"id\":\"toolu_01A09q90qw90lq917835lq9\","
                            + "\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]"
                    : "[{\"type\":\"text\",\"text\":\"Hello from anthropic!\"}]";
            send(ex, 200, "application/json", "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
                    + model + "\",\"content\":" + content + ",\"stop_reason\":\"" + (tools ? "tool_use" : "end_turn")
                    + "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,"
                    + "\"cache_read_input_tokens\":0,\"output_tokens\":5}}");
            return;
        }
        try (OutputStream out = beginStream(ex, "text/event-stream")) {
            sse(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"content\":[],\"model\":\"" + model + "\",\"stop_reason\":null,"
                    + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,"
                    + "\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
            sse(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                    + "\"text\":\"\"}}");
            sse(out, "ping", "{\"type\": \"ping\"}");
            List<String> pieces = tools ? List.of("Let me check.") : pieces("anthropic");
            for (int i = 0; i < pieces.size(); i++) {
                if (model.endsWith("-midstream") && i == 2) {
                    sse(out, "error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
                    return;
                }
                sse(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"" + pieces.get(i) + "\"}}");
            }
            sse(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            if (tools) {
                sse(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
                        + "\"tool_use\",\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\",\"input\":{}}}");
                for (String part : List.of("", "{\\\"city\\\": \\\"Pa", "ris\\\"}")) {
                    sse(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                            + "\"input_json_delta\",\"partial_json\":\"" + part + "\"}}");
                }
                sse(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
            }
            sse(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                    + (tools ? "tool_use" : "end_turn") + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}");
            sse(out, "message_stop", "{\"type\":\"message_stop\"}");
        }
    }

    private void ollama(HttpExchange ex, String model, boolean stream) throws IOException {
        boolean tools = model.endsWith("-tools");
        String done = "\"done\":true,\"done_reason\":\"stop\",\"total_duration\":4883583458,\"load_duration\":1334875,"
                + "\"prompt_eval_count\":12,\"prompt_eval_duration\":342546000,\"eval_count\":5,\"eval_duration\":4535599000}";
        String message = tools
                ? "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":{\"city\":\"Paris\"}}}]}"
                : "{\"role\":\"assistant\",\"content\":\"Hello from ollama!\"}";
        if (!stream) {
            send(ex, 200, "application/json", "{\"model\":\"" + model + "\",\"created_at\":\"2023-12-12T14:13:43.416799Z\","
                    + "\"message\":" + message + "," + done);
            return;
        }
        try (OutputStream out = beginStream(ex, "application/x-ndjson")) {
            String head = "{\"model\":\"" + model + "\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":";
            if (tools) {
                event(out, head + message + ",\"done\":false}\n");
            } else {
                List<String> pieces = pieces("ollama");
                for (int i = 0; i < pieces.size(); i++) {
                    if (model.endsWith("-midstream") && i == 2) {
                        event(out, "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n");
                        return;
                    }
                    event(out, head + "{\"role\":\"assistant\",\"content\":\"" + pieces.get(i) + "\"},\"done\":false}\n");
                }
            }
            event(out, head + "{\"role\":\"assistant\",\"content\":\"\"}," + done + "\n");
        }
    }

    static List<String> pieces(String name) {
        return PIECES.stream().map(p -> p.formatted(name)).toList();
    }

    /** An upstream that hangs (the gateway's timeout, not this pause, decides what the client sees). */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static OutputStream beginStream(HttpExchange ex, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    private static void sse(OutputStream out, String event, String data) throws IOException {
        event(out, "event: " + event + "\ndata: " + data + "\n\n");
    }

    private static void event(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
