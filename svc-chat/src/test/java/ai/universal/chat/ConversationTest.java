package ai.universal.chat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.chat.ChatHarness.json;
import static ai.universal.chat.ChatHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Conversations stored in PostgreSQL, analytics over completion records, and chat with svc-memory down. */
@ExtendWith(RealInfra.class)
class ConversationTest {

    @TempDir
    static Path dir;

    private static ChatHarness h;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        h = new ChatHarness(infra, dir, Map.of());
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void conversationKeepsEveryTurnWithModelUsageAndLatency() throws Exception {
        String alice = h.bearer("alice");
        HttpResponse<String> created = h.call("POST", "/v1/conversations", "{\"title\":\"Trip\",\"metadata\":{\"k\":1}}", alice);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode conversation = json(created);
        String id = conversation.path("id").asText();
        assertEquals("conversation", conversation.path("object").asText());
        assertEquals("Trip", conversation.path("title").asText());
        assertEquals(1, conversation.path("metadata").path("k").asInt());
        assertEquals(0, conversation.path("message_count").asInt());
        assertEquals("/v1/conversations/" + id, created.headers().firstValue("Location").orElseThrow());

        HttpResponse<String> first = h.chat(request("gpt-test", false, "\"conversation_id\":\"" + id + "\""), alice);
        assertEquals(200, first.statusCode(), first.body());
        HttpResponse<String> second = h.chat("{\"model\":\"claude-test\",\"stream\":true,\"conversation_id\":\"" + id + "\","
                                                     + "\"messages\":[{\"role\":\"user\",\"content\":\"And again\"}]}", alice);
        assertEquals(200, second.statusCode(), second.body());
        JsonNode sent = h.upstream.lastBody("anthropic").path("messages");
        assertEquals(3, sent.size(), "history is loaded: " + sent);
        assertEquals("Say hello", sent.get(0).path("content").asText());
        assertEquals("assistant", sent.get(1).path("role").asText());
        assertEquals("Hello from openai!", sent.get(1).path("content").asText());
        assertEquals("And again", sent.get(2).path("content").asText());

        HttpResponse<String> messages = h.call("GET", "/v1/conversations/" + id + "/messages", null, alice);
        assertEquals(200, messages.statusCode(), messages.body());
        JsonNode data = json(messages).path("data");
        assertEquals(4, data.size(), data.toString());
        assertEquals("user", data.get(0).path("role").asText());
        assertEquals("Say hello", data.get(0).path("content").asText());
        JsonNode answer = data.get(1);
        assertEquals("assistant", answer.path("role").asText());
        assertEquals("Hello from openai!", answer.path("content").asText());
        assertEquals("gpt-test", answer.path("model").asText());
        assertTrue(answer.path("deployment").asText().startsWith("openai:gpt-4o-mini@"));
        assertEquals(17, answer.path("usage").path("total_tokens").asInt());
        assertTrue(answer.path("latency_ms").asDouble() > 0);
        assertTrue(answer.path("ttft_ms").isNull());
        assertEquals("stop", answer.path("finish_reason").asText());
        JsonNode streamed = data.get(3);
        assertEquals("Hello from anthropic!", streamed.path("content").asText(), "the streamed answer is stored assembled");
        assertEquals("claude-test", streamed.path("model").asText());
        assertTrue(streamed.path("ttft_ms").asDouble() > 0);

        JsonNode listed = json(h.call("GET", "/v1/conversations?limit=10", null, alice));
        assertEquals(id, listed.path("data").get(0).path("id").asText());
        assertEquals(4, listed.path("data").get(0).path("message_count").asInt());
        assertFalse(listed.path("has_more").asBoolean());
    }

    @Test
    void conversationsAreVisibleToTheirOwnerOnly() throws Exception {
        String owner = h.bearer("owner");
        String other = h.bearer("intruder");
        String id = json(h.call("POST", "/v1/conversations", "{}", owner)).path("id").asText();
        assertEquals(404, h.call("GET", "/v1/conversations/" + id, null, other).statusCode());
        assertEquals(404, h.call("GET", "/v1/conversations/" + id + "/messages", null, other).statusCode());
        assertEquals(404, h.call("DELETE", "/v1/conversations/" + id, null, other).statusCode());
        HttpResponse<String> chat = h.chat(request("gpt-test", false, "\"conversation_id\":\"" + id + "\""), other);
        assertEquals(404, chat.statusCode());
        assertEquals("conversation_not_found", json(chat).path("error").path("code").asText());
        assertEquals("conversation_id", json(chat).path("error").path("param").asText());

        assertEquals(204, h.call("DELETE", "/v1/conversations/" + id, null, owner).statusCode());
        HttpResponse<String> gone = h.call("GET", "/v1/conversations/" + id, null, owner);
        assertEquals(404, gone.statusCode());
        assertEquals("application/problem+json", gone.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(404, h.call("GET", "/v1/conversations/not-a-uuid", null, owner).statusCode());
        HttpResponse<String> badLimit = h.call("GET", "/v1/conversations?limit=0", null, owner);
        assertEquals(400, badLimit.statusCode());
        HttpResponse<String> badBody = h.call("POST", "/v1/conversations", "{\"metadata\":[1]}", owner);
        assertEquals(422, badBody.statusCode(), badBody.body());
    }

    @Test
    void analyticsCountOwnUsageAndParameterBucketsAdminsSeeEveryone() throws Exception {
        String carol = h.bearer("carol");
        String dave = h.bearer("dave");
        assertEquals(200, h.chat(request("gpt-test", false, "\"temperature\":0.3,\"max_tokens\":100"), carol).statusCode());
        assertEquals(200, h.chat(request("claude-test", true, "\"temperature\":1.2"), carol).statusCode());
        assertEquals(200, h.chat(request("gpt-test", false, null), dave).statusCode());
        assertEquals(400, h.chat(request("bad", false, null), carol).statusCode());

        JsonNode usage = poll("/v1/analytics/usage", carol, body -> sum(body, "requests") == 3);
        assertEquals(3, usage.path("data").size(), usage.toString());
        for (JsonNode row : usage.path("data")) {
            assertEquals("carol", row.path("user").asText());
            assertEquals(Instant.now().toString().substring(0, 10), row.path("day").asText());
        }
        JsonNode gpt = row(usage, "gpt-test");
        assertEquals(1, gpt.path("requests").asInt());
        assertEquals(17, gpt.path("total_tokens").asInt());
        assertEquals(0, gpt.path("errors").asInt());
        assertEquals(1, row(usage, "bad").path("errors").asInt());

        assertEquals(403, h.call("GET", "/v1/analytics/usage?user=dave", null, carol).statusCode());
        JsonNode all = poll("/v1/analytics/usage", h.admin("root"), body -> sum(body, "requests") >= 4);
        assertTrue(all.path("data").findValuesAsText("user").containsAll(java.util.List.of("carol", "dave")));
        JsonNode onlyDave = json(h.call("GET", "/v1/analytics/usage?user=dave", null, h.admin("root")));
        assertEquals(1, sum(onlyDave, "requests"));

        JsonNode params = json(h.call("GET", "/v1/analytics/parameters?model=gpt-test", null, carol));
        JsonNode temperature = find(params, "temperature", "0.25-0.50");
        assertEquals(1, temperature.path("requests").asInt());
        assertEquals(0.0, temperature.path("error_rate").asDouble());
        assertTrue(temperature.path("p50_latency_ms").asDouble() > 0);
        assertEquals(1, find(params, "max_tokens", "1-256").path("requests").asInt());
        JsonNode claude = json(h.call("GET", "/v1/analytics/parameters?model=claude-test", null, carol));
        assertTrue(find(claude, "temperature", "1.00-1.25").path("avg_ttft_ms").asDouble() > 0);
        assertEquals(1.0, find(json(h.call("GET", "/v1/analytics/parameters?model=bad", null, carol)), "top_p", "unset")
                .path("error_rate").asDouble());
        assertEquals(400, h.call("GET", "/v1/analytics/usage?from=yesterday", null, carol).statusCode());
    }

    @Test
    void chatStillAnswersWhenSvcMemoryIsDownAndSaysSo() throws Exception {
        HttpResponse<String> r = h.chat(request("gpt-test", false, "\"memory\":{\"enabled\":true,\"limit\":3}"), h.bearer("erin"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("unavailable", r.headers().firstValue("X-Memory-Status").orElseThrow());
        assertEquals("Hello from openai!", json(r).path("choices").get(0).path("message").path("content").asText());
        assertEquals(2, h.upstream.lastBody("openai").path("messages").size(), "no memory prompt was added");

        HttpResponse<String> stream = h.chat(request("gpt-test", true, "\"memory\":{\"enabled\":true}"), h.bearer("erin"));
        assertEquals(200, stream.statusCode());
        assertEquals("unavailable", stream.headers().firstValue("X-Memory-Status").orElseThrow());
        HttpResponse<String> badLimit = h.chat(request("gpt-test", false, "\"memory\":{\"enabled\":true,\"limit\":50}"),
                                               h.bearer("erin"));
        assertEquals(400, badLimit.statusCode());
        assertEquals("memory.limit", json(badLimit).path("error").path("param").asText());
    }

    private static JsonNode poll(String path, String auth, Predicate<JsonNode> done) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        JsonNode body = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> r = h.call("GET", path, null, auth);
            assertEquals(200, r.statusCode(), r.body());
            body = json(r);
            if (done.test(body)) {
                return body;
            }
            Thread.onSpinWait();
        }
        fail("analytics never matched: " + body);
        return body;
    }

    private static int sum(JsonNode body, String field) {
        int total = 0;
        for (JsonNode row : body.path("data")) {
            total += row.path(field).asInt();
        }
        return total;
    }

    private static JsonNode row(JsonNode body, String model) {
        for (JsonNode row : body.path("data")) {
            if (row.path("model").asText().equals(model)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + model + " in " + body);
    }

    private static JsonNode find(JsonNode body, String parameter, String bucket) {
        for (JsonNode row : body.path("data")) {
            if (row.path("parameter").asText().equals(parameter) && row.path("bucket").asText().equals(bucket)) {
                return row;
            }
        }
        throw new AssertionError("no " + parameter + " bucket " + bucket + " in " + body);
    }
}
