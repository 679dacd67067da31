package ai.universal.chat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * svc-chat on a free port against real PostgreSQL and Redis, a test auth server, and {@link FakeUpstream} as every
 * provider, with a models file naming one alias per scenario.
 */
final class ChatHarness implements AutoCloseable {
    static final String OPENAI_KEY = "sk-test-openai-0123456789";
    static final String ANTHROPIC_KEY = "sk-ant-test-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final FakeUpstream upstream;
    final TestAuthServer auth;
    final RunningService service;
    final String base;

    private final boolean ownsAuth;

    ChatHarness(TestInfra.Infra infra, Path dir, Map<String, String> overrides) throws IOException {
        this(infra, dir, TestAuthServer.start(), true, overrides);
    }

    /**
     * svc-chat trusting an auth server that other services under test trust too (it stays open after {@link #close()}).
     *
     * @param infra     PostgreSQL and Redis
     * @param dir       where the models file goes
     * @param auth      shared auth server
     * @param overrides settings that win
     * @throws IOException when the models file cannot be written
     */
    ChatHarness(TestInfra.Infra infra, Path dir, TestAuthServer auth, Map<String, String> overrides) throws IOException {
        this(infra, dir, auth, false, overrides);
    }

    private ChatHarness(TestInfra.Infra infra, Path dir, TestAuthServer auth, boolean ownsAuth, Map<String, String> overrides)
            throws IOException {
        upstream = new FakeUpstream();
        this.auth = auth;
        this.ownsAuth = ownsAuth;
        Path models = dir.resolve("models.yaml");
        Files.writeString(models, modelsFile(upstream));
        Map<String, String> env = new HashMap<>(infra.environment());
        env.putAll(auth.environment());
        env.put("CHAT_PORT", "0");
        env.put("CHAT_CONFIG", models.toString());
        env.put("TEST_OPENAI_KEY", OPENAI_KEY);
        env.put("TEST_ANTHROPIC_KEY", ANTHROPIC_KEY);
        env.put("LOCAL_LLM_ENDPOINT", upstream.base("ollama"));
        env.put("OPENAI_API_KEY", "");
        env.put("ANTHROPIC_API_KEY", "");
        env.put("OPENAI_COMPATIBLE_BASE_URL", "");
        env.put("CHAT_RETRY_BACKOFF", "1ms");
        env.put("CHAT_COOLDOWN", "60s");
        env.put("CHAT_USER_RPM", "0");
        env.put("CHAT_USER_TOKENS_PER_DAY", "0");
        env.put("MEMORY_SERVICE_URL", "http://127.0.0.1:9");
        env.put("API_KEY_CACHE_TTL", "0s");
        env.putAll(overrides);
        service = ServiceRunner.start(new ChatApp(), ServiceRunner.environment(env, System::getenv));
        base = service.baseUrl();
    }

    static String modelsFile(FakeUpstream up) {
        String openai = up.base("openai") + "/v1";
        String anthropic = up.base("anthropic");
        String ollama = up.base("ollama");
        String compat = up.base("compat") + "/v1";
        return """
                models:
                  gpt-test:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: gpt-4o-mini, api-key-env: TEST_OPENAI_KEY}
                  gpt-tools:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: gpt-tools, api-key-env: TEST_OPENAI_KEY}
                  claude-test:
                    deployments:
                      - {provider: anthropic, base-url: "%2$s", model: claude-sonnet-4-5, api-key-env: TEST_ANTHROPIC_KEY}
                  claude-tools:
                    deployments:
                      - {provider: anthropic, base-url: "%2$s", model: claude-tools, api-key-env: TEST_ANTHROPIC_KEY}
                  ollama-tools:
                    deployments:
                      - {provider: ollama, base-url: "%3$s", model: llama-tools}
                  compat-test:
                    deployments:
                      - {provider: openai-compatible, base-url: "%4$s", model: compat-model}
                  with-fallback:
                    strategy: priority
                    deployments:
                      - {id: primary, provider: openai, base-url: "%1$s", model: primary-500, api-key-env: TEST_OPENAI_KEY}
                      - {id: secondary, provider: anthropic, base-url: "%2$s", model: claude-secondary,
                         api-key-env: TEST_ANTHROPIC_KEY}
                  fallback-alias:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: dead-500, api-key-env: TEST_OPENAI_KEY}
                    fallbacks: [claude-test]
                  small-context:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: small-context, api-key-env: TEST_OPENAI_KEY}
                    context-window-fallbacks: [claude-test]
                  flaky:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: flaky, api-key-env: TEST_OPENAI_KEY}
                  bad:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: x-badrequest, api-key-env: TEST_OPENAI_KEY}
                      - {provider: anthropic, base-url: "%2$s", model: never-used, api-key-env: TEST_ANTHROPIC_KEY}
                  cooling:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: cool-500, api-key-env: TEST_OPENAI_KEY}
                  limited-upstream:
                    deployments:
                      - {provider: anthropic, base-url: "%2$s", model: busy-429, api-key-env: TEST_ANTHROPIC_KEY}
                  midstream-openai:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: gpt-midstream, api-key-env: TEST_OPENAI_KEY}
                      - {provider: openai, base-url: "%1$s", model: gpt-spare, api-key-env: TEST_OPENAI_KEY}
                  midstream-anthropic:
                    deployments:
                      - {provider: anthropic, base-url: "%2$s", model: claude-midstream, api-key-env: TEST_ANTHROPIC_KEY}
                      - {provider: openai, base-url: "%1$s", model: gpt-spare, api-key-env: TEST_OPENAI_KEY}
                  midstream-ollama:
                    deployments:
                      - {provider: ollama, base-url: "%3$s", model: llama-midstream}
                      - {provider: openai, base-url: "%1$s", model: gpt-spare, api-key-env: TEST_OPENAI_KEY}
                  first-byte-fallback:
                    deployments:
                      - {provider: ollama, base-url: "%3$s", model: llama-500}
                      - {provider: anthropic, base-url: "%2$s", model: claude-rescue, api-key-env: TEST_ANTHROPIC_KEY}
                  slow:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: gpt-slow, api-key-env: TEST_OPENAI_KEY, timeout: 300ms}
                  stalling:
                    deployments:
                      - {provider: openai, base-url: "%1$s", model: gpt-stall, api-key-env: TEST_OPENAI_KEY, timeout: 300ms}
                      - {provider: openai, base-url: "%1$s", model: gpt-spare, api-key-env: TEST_OPENAI_KEY}
                  unreachable:
                    deployments:
                      - {id: dead-port, provider: openai, base-url: "%5$s", model: gpt-4o-mini, api-key-env: TEST_OPENAI_KEY}
                      - {id: rescue, provider: anthropic, base-url: "%2$s", model: claude-rescue, api-key-env: TEST_ANTHROPIC_KEY}
                  needs-missing-key:
                    deployments:
                      - {provider: openai, model: gpt-4o, api-key-env: NOT_SET_ANYWHERE_KEY}
                """.formatted(openai, anthropic, ollama, compat, "http://127.0.0.1:" + closedPort() + "/v1");
    }

    /** A loopback port nothing listens on (connections to it are refused). */
    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String bearer(String subject) {
        return "Bearer " + auth.token(subject, List.of("user"), "*");
    }

    String admin(String subject) {
        return "Bearer " + auth.token(subject, List.of("user", "admin"), "*");
    }

    HttpResponse<String> call(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> chat(String body, String authorization) throws Exception {
        return call("POST", "/v1/chat/completions", body, authorization);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return FakeUpstream.JSON.readTree(response.body());
    }

    /**
     * The data of each Server-Sent Event of a body.
     *
     * @param body body
     * @return data strings
     */
    static List<String> events(String body) {
        List<String> data = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        return data;
    }

    static String request(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello\"}]" + (extra == null ? "" : "," + extra) + "}";
    }

    @Override
    public void close() {
        service.stop();
        if (ownsAuth) {
            auth.close();
        }
        upstream.close();
    }
}
