package ai.universal.chat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.universal.chat.ChatHarness.events;
import static ai.universal.chat.ChatHarness.json;
import static ai.universal.chat.ChatHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI-compatible API over HTTP against fake upstreams of every provider kind. */
@ExtendWith(RealInfra.class)
class ChatApiTest {

    @TempDir
    static Path dir;

    private static ChatHarness h;
    private static String user;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        h = new ChatHarness(infra, dir, Map.of());
        user = h.bearer("user-1");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @ParameterizedTest
    @CsvSource({"gpt-test,openai", "claude-test,anthropic", "llama3.2:latest,ollama", "compat-test,compat"})
    void nonStreamingAnswerComesBackInOpenAiShapeFromEveryProviderKind(String model, String kind) throws Exception {
        HttpResponse<String> r = h.chat(request(model, false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("chat.completion", body.path("object").asText());
        assertTrue(body.path("id").asText().startsWith("chatcmpl-"));
        assertEquals(model, body.path("model").asText());
        JsonNode choice = body.path("choices").get(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("Hello from " + kind + "!", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
        assertEquals(12, body.path("usage").path("prompt_tokens").asInt());
        assertEquals(5, body.path("usage").path("completion_tokens").asInt());
        assertEquals(17, body.path("usage").path("total_tokens").asInt());
        assertTrue(r.headers().firstValue("X-Chat-Deployment").orElseThrow().contains(kind.equals("compat")
                ? "openai-compatible:" : kind + ":"));
    }

    @ParameterizedTest
    @CsvSource({"gpt-test,openai", "claude-test,anthropic", "llama3.2:latest,ollama", "compat-test,compat"})
    void streamingAnswerArrivesAsChunksThenUsageThenDone(String model, String kind) throws Exception {
        HttpResponse<String> r = h.chat(request(model, true, "\"stream_options\":{\"include_usage\":true}"), user);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String> events = events(r.body());
        assertEquals("[DONE]", events.getLast());
        JsonNode first = FakeUpstream.JSON.readTree(events.getFirst());
        assertEquals("chat.completion.chunk", first.path("object").asText());
        assertEquals("assistant", first.path("choices").get(0).path("delta").path("role").asText());
        assertTrue(first.has("usage") && first.get("usage").isNull(), "every chunk carries usage: null");
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(1, events.size() - 2)) {
            JsonNode choice = FakeUpstream.JSON.readTree(e).path("choices").get(0);
            text.append(choice.path("delta").path("content").asText(""));
            if (!choice.path("finish_reason").isNull()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertEquals("Hello from " + kind + "!", text.toString());
        assertEquals("stop", finish);
        JsonNode usage = FakeUpstream.JSON.readTree(events.get(events.size() - 2));
        assertEquals(0, usage.path("choices").size());
        assertEquals(17, usage.path("usage").path("total_tokens").asInt());
        assertEquals(FakeUpstream.pieces(kind).size() + 4, events.size(), "role, pieces, finish, usage, [DONE]");
    }

    @Test
    void upstreamsReceiveTheirOwnWireFormatAndCredentials() throws Exception {
        String extras = "\"temperature\":0.4,\"max_tokens\":64,\"stop\":[\"END\"],\"user\":\"end-user-7\",\"seed\":7,"
                + "\"memory\":false";
        assertEquals(200, h.chat(request("claude-test", false, extras), user).statusCode());
        JsonNode anthropic = h.upstream.lastBody("anthropic");
        assertEquals("Be brief.", anthropic.path("system").asText());
        assertEquals(1, anthropic.path("messages").size());
        assertEquals("user", anthropic.path("messages").get(0).path("role").asText());
        assertEquals("Say hello", anthropic.path("messages").get(0).path("content").asText());
        assertEquals(64, anthropic.path("max_tokens").asInt());
        assertEquals(0.4, anthropic.path("temperature").asDouble());
        assertEquals("END", anthropic.path("stop_sequences").get(0).asText());
        assertEquals("end-user-7", anthropic.path("metadata").path("user_id").asText());
        assertEquals(ChatHarness.ANTHROPIC_KEY, h.upstream.lastHeaders("anthropic").get("x-api-key"));
        assertEquals("2023-06-01", h.upstream.lastHeaders("anthropic").get("anthropic-version"));

        assertEquals(200, h.chat(request("gpt-test", true, extras), user).statusCode());
        JsonNode openai = h.upstream.lastBody("openai");
        assertEquals("gpt-4o-mini", openai.path("model").asText());
        assertEquals(2, openai.path("messages").size());
        assertTrue(openai.path("stream_options").path("include_usage").asBoolean());
        assertFalse(openai.has("memory"), "extension fields are not sent upstream");
        assertEquals(7, openai.path("seed").asInt());
        assertEquals("Bearer " + ChatHarness.OPENAI_KEY, h.upstream.lastHeaders("openai").get("authorization"));

        assertEquals(200, h.chat(request("llama3.2:latest", false, extras), user).statusCode());
        JsonNode ollama = h.upstream.lastBody("ollama");
        assertFalse(ollama.path("stream").asBoolean());
        assertEquals(64, ollama.path("options").path("num_predict").asInt());
        assertEquals(0.4, ollama.path("options").path("temperature").asDouble());
        assertEquals(7, ollama.path("options").path("seed").asInt());
        assertEquals("system", ollama.path("messages").get(0).path("role").asText());
    }

    @ParameterizedTest
    @CsvSource({"gpt-tools,false", "gpt-tools,true", "claude-tools,false", "claude-tools,true", "ollama-tools,false",
                "ollama-tools,true"})
    void toolCallsComeBackAsOpenAiToolCalls(String model, boolean stream) throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"tool_choice\":\"auto\"";
        HttpResponse<String> r = h.chat(request(model, stream, tools), user);
        assertEquals(200, r.statusCode(), r.body());
        String id;
        String name;
        StringBuilder arguments = new StringBuilder();
        String finish;
        if (stream) {
            List<String> events = events(r.body());
            id = null;
            name = null;
            finish = null;
            for (String e : events.subList(0, events.size() - 1)) {
                JsonNode choice = FakeUpstream.JSON.readTree(e).path("choices").get(0);
                for (JsonNode call : choice.path("delta").path("tool_calls")) {
                    assertEquals(0, call.path("index").asInt());
                    if (call.has("id")) {
                        id = call.path("id").asText();
                        name = call.path("function").path("name").asText();
                        assertEquals("function", call.path("type").asText());
                    }
                    arguments.append(call.path("function").path("arguments").asText());
                }
                if (!choice.path("finish_reason").isNull()) {
                    finish = choice.path("finish_reason").asText();
                }
            }
        } else {
            JsonNode call = json(r).path("choices").get(0).path("message").path("tool_calls").get(0);
            id = call.path("id").asText();
            name = call.path("function").path("name").asText();
            arguments.append(call.path("function").path("arguments").asText());
            finish = json(r).path("choices").get(0).path("finish_reason").asText();
        }
        assertTrue(id != null && !id.isBlank());
        assertEquals("get_weather", name);
        assertEquals("Paris", FakeUpstream.JSON.readTree(arguments.toString()).path("city").asText());
        assertEquals("tool_calls", finish);
        if (model.startsWith("claude")) {
            JsonNode sent = h.upstream.lastBody("anthropic");
            assertEquals("get_weather", sent.path("tools").get(0).path("name").asText());
            assertEquals("object", sent.path("tools").get(0).path("input_schema").path("type").asText());
            assertEquals("auto", sent.path("tool_choice").path("type").asText());
        }
    }

    @Test
    void priorityRoutingRetriesThenFallsBackToTheNextDeployment() throws Exception {
        HttpResponse<String> r = h.chat(request("with-fallback", false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Hello from anthropic!", json(r).path("choices").get(0).path("message").path("content").asText());
        assertEquals("secondary", r.headers().firstValue("X-Chat-Deployment").orElseThrow());
        assertEquals(2, h.upstream.calls("openai", "primary-500"), "one try and one retry before moving on");
    }

    @Test
    void unreachableDeploymentIsRetriedThenTheNextOneAnswers() throws Exception {
        HttpResponse<String> r = h.chat(request("unreachable", false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("rescue", r.headers().firstValue("X-Chat-Deployment").orElseThrow());
        assertEquals("Hello from anthropic!", json(r).path("choices").get(0).path("message").path("content").asText());
    }

    @Test
    void upstreamThatDoesNotAnswerWithinTheDeploymentTimeoutBecomes504() throws Exception {
        HttpResponse<String> r = h.chat(request("slow", false, null), user);
        assertEquals(504, r.statusCode(), r.body());
        JsonNode error = json(r).path("error");
        assertEquals("upstream_timeout", error.path("code").asText());
        assertEquals("server_error", error.path("type").asText());
        assertEquals(2, h.upstream.calls("openai", "gpt-slow"), "a timeout is retried once");
    }

    @Test
    void streamThatStallsAfterItStartedEndsWithAnErrorChunkAndIsNotRetried() throws Exception {
        int spareBefore = h.upstream.calls("openai", "gpt-spare");
        HttpResponse<String> r = h.chat(request("stalling", true, null), user);
        assertEquals(200, r.statusCode(), r.body());
        List<String> events = events(r.body());
        assertEquals(4, events.size(), r.body());
        assertEquals(" from", FakeUpstream.JSON.readTree(events.get(2)).path("choices").get(0).path("delta").path("content")
                .asText());
        JsonNode error = FakeUpstream.JSON.readTree(events.get(3)).path("error");
        assertEquals("upstream_stream_interrupted", error.path("code").asText(), r.body());
        assertTrue(error.path("message").asText().contains("in time"), error.toString());
        assertEquals(spareBefore, h.upstream.calls("openai", "gpt-spare"), "no fallback after the first byte");
    }

    @Test
    void fallbackAliasAnswersWhenEveryDeploymentFailed() throws Exception {
        HttpResponse<String> r = h.chat(request("fallback-alias", false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Hello from anthropic!", json(r).path("choices").get(0).path("message").path("content").asText());
        assertEquals("fallback-alias", json(r).path("model").asText());
    }

    @Test
    void promptTooLongSwitchesToTheContextWindowFallbackWithoutRetrying() throws Exception {
        HttpResponse<String> r = h.chat(request("small-context", false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Hello from anthropic!", json(r).path("choices").get(0).path("message").path("content").asText());
        assertEquals(1, h.upstream.calls("openai", "small-context"));
    }

    @Test
    void requestTheUpstreamRejectsIsNotRetriedAnywhere() throws Exception {
        HttpResponse<String> r = h.chat(request("bad", false, null), user);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = json(r).path("error");
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals("invalid_request_error", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("Invalid value for 'temperature'"));
        assertEquals(1, h.upstream.calls("openai", "x-badrequest"));
        assertEquals(0, h.upstream.calls("anthropic", "never-used"));
    }

    @Test
    void retryableErrorIsRetriedOnTheSameDeployment() throws Exception {
        h.upstream.failNext("flaky", 1);
        HttpResponse<String> r = h.chat(request("flaky", false, null), user);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, h.upstream.calls("openai", "flaky"));
    }

    @Test
    void failingDeploymentCoolsDownAndIsNotCalledUntilItsCooldownEnds() throws Exception {
        HttpResponse<String> first = h.chat(request("cooling", false, null), user);
        assertEquals(502, first.statusCode(), first.body());
        assertEquals("upstream_error", json(first).path("error").path("code").asText());
        assertEquals("server_error", json(first).path("error").path("type").asText());
        assertEquals(502, h.chat(request("cooling", false, null), user).statusCode());
        assertEquals(3, h.upstream.calls("openai", "cool-500"), "the third failure opened the circuit");
        HttpResponse<String> cooling = h.chat(request("cooling", false, null), user);
        assertEquals(503, cooling.statusCode(), cooling.body());
        assertEquals("no_deployment_available", json(cooling).path("error").path("code").asText());
        long retryAfter = Long.parseLong(cooling.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(3, h.upstream.calls("openai", "cool-500"));
    }

    @Test
    void upstreamRateLimitBecomes429() throws Exception {
        HttpResponse<String> r = h.chat(request("limited-upstream", false, null), user);
        assertEquals(429, r.statusCode(), r.body());
        assertEquals("rate_limit_error", json(r).path("error").path("type").asText());
        assertEquals("upstream_rate_limited", json(r).path("error").path("code").asText());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    @ParameterizedTest
    @CsvSource({"midstream-openai,openai", "midstream-anthropic,anthropic", "midstream-ollama,ollama"})
    void failureAfterTheFirstByteEndsTheStreamWithAnErrorChunkAndIsNotRetried(String model, String kind) throws Exception {
        int spareBefore = h.upstream.calls("openai", "gpt-spare");
        HttpResponse<String> r = h.chat(request(model, true, null), user);
        assertEquals(200, r.statusCode(), r.body());
        List<String> events = events(r.body());
        assertEquals(4, events.size(), r.body());
        assertEquals("Hello", FakeUpstream.JSON.readTree(events.get(1)).path("choices").get(0).path("delta").path("content")
                .asText());
        assertEquals(" from", FakeUpstream.JSON.readTree(events.get(2)).path("choices").get(0).path("delta").path("content")
                .asText());
        JsonNode error = FakeUpstream.JSON.readTree(events.get(3)).path("error");
        assertEquals("server_error", error.path("type").asText());
        assertEquals("upstream_stream_interrupted", error.path("code").asText());
        assertFalse(r.body().contains("[DONE]"));
        assertEquals(spareBefore, h.upstream.calls("openai", "gpt-spare"), "no second deployment after the first byte");
    }

    @Test
    void failureBeforeTheFirstByteFallsBackWhileStreaming() throws Exception {
        HttpResponse<String> r = h.chat(request("first-byte-fallback", true, null), user);
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder text = new StringBuilder();
        for (String e : events(r.body())) {
            if (!e.equals("[DONE]")) {
                text.append(FakeUpstream.JSON.readTree(e).path("choices").get(0).path("delta").path("content").asText(""));
            }
        }
        assertEquals("Hello from anthropic!", text.toString());
        assertEquals(2, h.upstream.calls("ollama", "llama-500"));
    }

    @Test
    void badRequestsAnswerOpenAiErrorsNamingTheParameter() throws Exception {
        HttpResponse<String> malformed = h.chat("{\"model\":", user);
        assertEquals(400, malformed.statusCode());
        assertEquals("invalid_request_error", json(malformed).path("error").path("type").asText());

        HttpResponse<String> noModel = h.chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", user);
        assertEquals(400, noModel.statusCode());
        assertEquals("model", json(noModel).path("error").path("param").asText());

        HttpResponse<String> hot = h.chat(request("gpt-test", false, "\"temperature\":3"), user);
        assertEquals(400, hot.statusCode());
        assertEquals("temperature", json(hot).path("error").path("param").asText());

        HttpResponse<String> role = h.chat("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", user);
        assertEquals(400, role.statusCode());
        assertEquals("messages[0].role", json(role).path("error").path("param").asText());

        HttpResponse<String> unknown = h.chat(request("no-such-model", false, null), user);
        assertEquals(404, unknown.statusCode());
        assertEquals("model_not_found", json(unknown).path("error").path("code").asText());
        assertEquals("model", json(unknown).path("error").path("param").asText());

        HttpResponse<String> anonymous = h.chat(request("gpt-test", false, null), null);
        assertEquals(401, anonymous.statusCode());
        assertEquals("authentication_error", json(anonymous).path("error").path("type").asText());

        HttpResponse<String> readOnly = h.chat(request("gpt-test", false, null),
                                               "Bearer " + h.auth.token("user-1", List.of("user"), "chat:read"));
        assertEquals(403, readOnly.statusCode());
        assertEquals("permission_error", json(readOnly).path("error").path("type").asText());
    }

    @Test
    void modelsListsConfiguredAndDiscoveredAliases() throws Exception {
        HttpResponse<String> r = h.call("GET", "/v1/models", null, user);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("list", body.path("object").asText());
        List<String> ids = body.path("data").findValuesAsText("id");
        assertTrue(ids.containsAll(List.of("gpt-test", "claude-test", "compat-test", "with-fallback", "llama3.2:latest")),
                   ids.toString());
        assertFalse(ids.contains("needs-missing-key"), "a deployment whose key is not set is not offered");
        JsonNode llama = body.path("data").get(ids.indexOf("llama3.2:latest"));
        assertEquals("model", llama.path("object").asText());
        assertEquals("ollama", llama.path("owned_by").asText());
        assertEquals(200, h.call("GET", "/v1/models/claude-test", null, user).statusCode());
        assertEquals("model_not_found", json(h.call("GET", "/v1/models/nope", null, user)).path("error").path("code").asText());
    }

    @Test
    void readinessDetailsAndMetricsReportEveryDeployment() throws Exception {
        assertEquals(200, h.chat(request("gpt-test", false, null), user).statusCode());
        HttpResponse<String> health = h.call("GET", "/health", null, null);
        assertEquals(200, health.statusCode(), health.body());
        String detail = null;
        for (JsonNode check : json(health).path("checks")) {
            if (check.path("name").asText().equals("upstreams")) {
                detail = check.path("detail").asText();
            }
        }
        assertTrue(detail != null && detail.contains("openai:gpt-4o-mini@127.0.0.1:"), detail);
        assertTrue(detail.contains("discovery ollama@127.0.0.1:"), detail);
        assertTrue(detail.contains("=reachable"), detail);
        String metrics = h.call("GET", "/metrics", null, null).body();
        assertTrue(metrics.contains("chat_upstream_requests_total{deployment=\"openai:gpt-4o-mini@127.0.0.1:"), metrics);
        assertTrue(metrics.contains("chat_upstream_tokens_total{deployment=\"openai:gpt-4o-mini@127.0.0.1:"), metrics);
        assertTrue(metrics.contains("chat_upstream_circuit_state{"), metrics);
    }
}
