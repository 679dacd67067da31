package ai.universal.ml;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** svc-ml started in-process on a free port with a test auth server, and a small HTTP client for it. */
final class ServiceHarness implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServiceHarness shared;

    private final TestAuthServer auth;
    private final RunningService service;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String token;

    private ServiceHarness(Function<MlConfig, LoadedModels> loader, Map<String, String> settings) {
        auth = TestAuthServer.start();
        Map<String, String> env = new HashMap<>(auth.environment());
        env.put("ML_PORT", "0");
        env.putAll(settings);
        service = ServiceRunner.start(new MlApp(loader), ServiceRunner.environment(env, System::getenv));
        token = auth.token("user-1", List.of("user"), "*");
    }

    /** A service with its own models and settings; the caller stops it. */
    static ServiceHarness start(Function<MlConfig, LoadedModels> loader, Map<String, String> settings) {
        return new ServiceHarness(loader, settings);
    }

    /** One service with both real embedding models shared by the HTTP test classes; ready when returned. */
    static synchronized ServiceHarness shared() {
        if (shared == null) {
            shared = new ServiceHarness(config -> new LoadedModels(
                    new EmbeddingModels(List.of(new EmbeddingModel(TestModels.miniLm(), config.batching()),
                                                new EmbeddingModel(TestModels.miniLmQuantised(), config.batching())),
                                        config.defaultModel()),
                    LanguageIdentifier.load(), SentenceSplitter.load(), WordTokenizer.load()),
                                        Map.of("ML_MAX_INPUTS", "8", "ML_MAX_INPUT_CHARS", "2000",
                                               "ML_MAX_TEXT_CHARS", "5000", "ML_MAX_BODY_BYTES", "65536"));
            shared.awaitReady();
        }
        return shared;
    }

    void awaitReady() {
        Poll.until("svc-ml reports ready", () -> get("/health/ready", null).status() == 200);
    }

    String token() {
        return token;
    }

    Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply post(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(builder::header);
        return send(builder);
    }

    Reply get(String path, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).GET();
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return send(builder);
    }

    private URI uri(String path) {
        return URI.create(service.baseUrl() + path);
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                                                        HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !response.body().isEmpty()) {
                json = JSON.readTree(response.body());
            }
            return new Reply(response.statusCode(), response.headers(), json, response.body());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    @Override
    public void close() {
        service.stop();
        auth.close();
    }

    /**
     * A response.
     *
     * @param status  status code
     * @param headers headers
     * @param json    body when JSON
     * @param body    raw body
     */
    record Reply(int status, HttpHeaders headers, JsonNode json, String body) {

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** OpenAI error member. */
        String error(String member) {
            JsonNode value = json.path("error").path(member);
            return value.isNull() || value.isMissingNode() ? null : value.asText();
        }
    }
}
