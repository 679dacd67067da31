package ai.universal.chat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The kinds of upstream LLM API the gateway speaks, each with its endpoint and credentials. Every kind answers in
 * OpenAI's terms ({@link Completion}, {@link StreamEvent}); the wire classes do the translation.
 * <ul>
 *     <li>{@link Ollama}: native {@code POST /api/chat} (NDJSON stream), {@code GET /api/tags} for discovery</li>
 *     <li>{@link OpenAi}: {@code POST /v1/chat/completions} at api.openai.com with a bearer key</li>
 *     <li>{@link Anthropic}: {@code POST /v1/messages} (SSE events) with {@code x-api-key} and
 *     {@code anthropic-version}</li>
 *     <li>{@link OpenAiCompatible}: any server with OpenAI's chat API (vLLM, llama.cpp, LM Studio, Ollama's /v1),
 *     key optional, {@code GET /models} for discovery</li>
 * </ul>
 */
sealed interface Provider {

    /**
     * Kind name as written in the models file.
     *
     * @return ollama, openai, anthropic or openai-compatible
     */
    String kind();

    /**
     * Base URL.
     *
     * @return URL without a trailing slash
     */
    String baseUrl();

    /**
     * One whole answer.
     *
     * @param http    HTTP client
     * @param model   upstream model name
     * @param request request
     * @param timeout timeout
     * @return completion
     */
    Completion complete(UpstreamHttp http, String model, ChatRequest request, Duration timeout);

    /**
     * A streamed answer, event by event, ending with {@link StreamEvent.Finished}.
     *
     * @param http     HTTP client
     * @param model    upstream model name
     * @param request  request
     * @param timeout  time until the answer starts
     * @param listener receives events
     */
    void stream(UpstreamHttp http, String model, ChatRequest request, Duration timeout, StreamListener listener);

    /**
     * Host and port, for deployment ids and logs (never the key).
     *
     * @return authority
     */
    default String host() {
        return URI.create(baseUrl()).getAuthority();
    }

    /**
     * Ollama's native API.
     *
     * @param baseUrl e.g. http://127.0.0.1:11434
     */
    record Ollama(String baseUrl) implements Provider {
        @Override
        public String kind() {
            return "ollama";
        }

        @Override
        public Completion complete(UpstreamHttp http, String model, ChatRequest request, Duration timeout) {
            return OllamaWire.completion(http.postJson(URI.create(baseUrl + "/api/chat"), Map.of(),
                                                       OllamaWire.request(request, model, false), timeout));
        }

        @Override
        public void stream(UpstreamHttp http, String model, ChatRequest request, Duration timeout, StreamListener listener) {
            try (UpstreamHttp.StreamLines lines = http.postStream(URI.create(baseUrl + "/api/chat"), Map.of(),
                                                                  OllamaWire.request(request, model, true), timeout,
                                                                  "application/x-ndjson")) {
                OllamaWire.readStream(lines, listener);
                lines.completed();
            }
        }
    }

    /**
     * OpenAI.
     *
     * @param baseUrl e.g. https://api.openai.com/v1
     * @param apiKey  key (never printed)
     */
    record OpenAi(String baseUrl, String apiKey) implements Provider {
        @Override
        public String kind() {
            return "openai";
        }

        @Override
        public Completion complete(UpstreamHttp http, String model, ChatRequest request, Duration timeout) {
            return OpenAiWire.complete(http, baseUrl, apiKey, model, request, timeout);
        }

        @Override
        public void stream(UpstreamHttp http, String model, ChatRequest request, Duration timeout, StreamListener listener) {
            OpenAiWire.stream(http, baseUrl, apiKey, model, request, timeout, listener);
        }

        @Override
        public String toString() {
            return "OpenAi[" + baseUrl + "]";
        }
    }

    /**
     * Anthropic's Messages API.
     *
     * @param baseUrl          e.g. https://api.anthropic.com
     * @param apiKey           key (never printed)
     * @param version          anthropic-version header
     * @param defaultMaxTokens max_tokens when the client sends none (Anthropic requires it)
     */
    record Anthropic(String baseUrl, String apiKey, String version, int defaultMaxTokens) implements Provider {
        @Override
        public String kind() {
            return "anthropic";
        }

        @Override
        public Completion complete(UpstreamHttp http, String model, ChatRequest request, Duration timeout) {
            return AnthropicWire.completion(http.postJson(URI.create(baseUrl + "/v1/messages"), headers(),
                                                          AnthropicWire.request(request, model, false, defaultMaxTokens),
                                                          timeout));
        }

        @Override
        public void stream(UpstreamHttp http, String model, ChatRequest request, Duration timeout, StreamListener listener) {
            try (UpstreamHttp.StreamLines lines = http.postStream(URI.create(baseUrl + "/v1/messages"), headers(),
                                                                  AnthropicWire.request(request, model, true, defaultMaxTokens),
                                                                  timeout, "text/event-stream")) {
                AnthropicWire.readStream(lines, listener);
                lines.completed();
            }
        }

        private Map<String, String> headers() {
            return Map.of("x-api-key", apiKey, "anthropic-version", version);
        }

        @Override
        public String toString() {
            return "Anthropic[" + baseUrl + "]";
        }
    }

    /**
     * Any server speaking OpenAI's chat API.
     *
     * @param baseUrl e.g. http://127.0.0.1:8000/v1
     * @param apiKey  key or null
     */
    record OpenAiCompatible(String baseUrl, String apiKey) implements Provider {
        @Override
        public String kind() {
            return "openai-compatible";
        }

        @Override
        public Completion complete(UpstreamHttp http, String model, ChatRequest request, Duration timeout) {
            return OpenAiWire.complete(http, baseUrl, apiKey, model, request, timeout);
        }

        @Override
        public void stream(UpstreamHttp http, String model, ChatRequest request, Duration timeout, StreamListener listener) {
            OpenAiWire.stream(http, baseUrl, apiKey, model, request, timeout, listener);
        }

        @Override
        public String toString() {
            return "OpenAiCompatible[" + baseUrl + "]";
        }
    }

    /**
     * Model names an endpoint reports.
     *
     * @param http    client
     * @param timeout timeout
     * @return names, or empty for kinds without discovery
     */
    default java.util.List<String> discover(UpstreamHttp http, Duration timeout) {
        return switch (this) {
            case Ollama o -> names(http.getJson(URI.create(o.baseUrl() + "/api/tags"), Map.of(), timeout), "models", "name");
            case OpenAiCompatible c -> names(http.getJson(URI.create(c.baseUrl() + "/models"),
                                                          c.apiKey() == null ? Map.of()
                                                                  : Map.of("Authorization", "Bearer " + c.apiKey()),
                                                          timeout), "data", "id");
            default -> java.util.List.of();
        };
    }

    private static java.util.List<String> names(JsonNode document, String list, String field) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (JsonNode entry : document.path(list)) {
            if (entry.path(field).isTextual()) {
                names.add(entry.path(field).asText());
            }
        }
        return names;
    }
}
