package ai.universal.chat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;
import ai.universal.memory.MemoryApp;
import ai.universal.ml.MlApp;
import ai.universal.vector.VectorApp;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static ai.universal.chat.ChatHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Memory-augmented chat against the real svc-memory: svc-ml (the ONNX embedding model), svc-vector (Lucene on disk)
 * and svc-memory (PostgreSQL) run in-process on free ports, trusting the same auth server as svc-chat. Memories are
 * stored through svc-memory's HTTP API; the fake OpenAI upstream records the prompt svc-chat sends. The last test
 * stops svc-memory, so it runs last.
 */
@ExtendWith(RealInfra.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryInjectionTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration INDEXING = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static TestAuthServer auth;
    private static RunningService ml;
    private static RunningService vector;
    private static RunningService memory;
    private static ChatHarness h;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        auth = TestAuthServer.start();
        Map<String, String> common = new HashMap<>(auth.environment());
        common.put("API_KEY_CACHE_TTL", "60s");

        Map<String, String> mlEnv = new HashMap<>(common);
        mlEnv.put("ML_PORT", "0");
        mlEnv.put("ML_MODELS", "all-minilm-l6-v2");
        mlEnv.put("ML_DEFAULT_MODEL", "all-minilm-l6-v2");
        ml = ServiceRunner.start(new MlApp(), ServiceRunner.environment(mlEnv, System::getenv));

        Map<String, String> vectorEnv = new HashMap<>(common);
        vectorEnv.put("VECTOR_PORT", "0");
        vectorEnv.put("VECTOR_DATA_DIR", Files.createDirectories(dir.resolve("vector")).toString());
        vector = ServiceRunner.start(new VectorApp(), ServiceRunner.environment(vectorEnv, System::getenv));

        Map<String, String> memoryEnv = new HashMap<>(common);
        memoryEnv.putAll(infra.environment());
        memoryEnv.put("MEMORY_PORT", "0");
        memoryEnv.put("ML_SERVICE_URL", ml.baseUrl());
        memoryEnv.put("VECTOR_DB_URL", vector.baseUrl());
        memoryEnv.put("MEMORY_SERVICE_API_KEY", auth.apiKey("svc-memory", List.of("vectors:read", "vectors:write")));
        memoryEnv.put("MEMORY_RELAY_POLL", "100ms");
        memoryEnv.put("MEMORY_RELAY_BACKOFF", "100ms");
        memoryEnv.put("MEMORY_RELAY_MAX_BACKOFF", "400ms");
        memoryEnv.put("MEMORY_PURGE_INTERVAL", "0s");
        memory = ServiceRunner.start(new MemoryApp(), ServiceRunner.environment(memoryEnv, System::getenv));

        h = new ChatHarness(infra, dir, auth, Map.of("MEMORY_SERVICE_URL", memory.baseUrl()));
        await("svc-ml's model loaded", () -> status(ml.baseUrl() + "/health") == 200);
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
        for (RunningService s : new RunningService[] {memory, vector, ml}) {
            if (s != null) {
                s.stop();
            }
        }
        if (auth != null) {
            auth.close();
        }
    }

    @Test
    @Order(1)
    void promptCarriesOnlyTheCallersRelevantMemoriesAndTheStoredAnswerNamesThem() throws Exception {
        String alice = "mem-alice-" + UUID.randomUUID();
        String bob = "mem-bob-" + UUID.randomUUID();
        String aliceSister = remember(alice, "My sister Clara lives in Lisbon and works there as an architect.");
        Set<String> aliceIds = new HashSet<>(List.of(aliceSister,
                                                     remember(alice, "I am allergic to peanuts and cashews."),
                                                     remember(alice, "My car is a blue Volvo estate from 2015.")));
        String bobSister = remember(bob, "My sister Clara lives in Reykjavik and teaches the piano.");
        String question = "Which city does my sister live in?";
        awaitSearchable(alice, question, aliceSister);
        awaitSearchable(bob, question, bobSister);

        String aliceAuth = h.bearer(alice);
        HttpResponse<String> created = h.call("POST", "/v1/conversations", "{\"title\":\"Family\"}", aliceAuth);
        assertEquals(201, created.statusCode(), created.body());
        String conversation = json(created).path("id").asText();
        HttpResponse<String> r = h.chat(chat(question, "\"conversation_id\":\"" + conversation + "\","
                + "\"memory\":{\"enabled\":true,\"limit\":2}"), aliceAuth);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("used", r.headers().firstValue("X-Memory-Status").orElseThrow());
        int count = Integer.parseInt(r.headers().firstValue("X-Memory-Count").orElseThrow());
        assertTrue(count >= 1 && count <= 2, "at most the requested 2 memories: " + count);
        assertEquals("Hello from openai!", json(r).path("choices").get(0).path("message").path("content").asText());

        JsonNode sent = h.upstream.lastBody("openai").path("messages");
        assertEquals(3, sent.size(), "client system message, memory system message, user message: " + sent);
        assertEquals("Be brief.", sent.get(0).path("content").asText());
        assertEquals("system", sent.get(1).path("role").asText());
        String prompt = sent.get(1).path("content").asText();
        List<String> lines = memoryLines(prompt);
        assertEquals(count, lines.size(), prompt);
        assertEquals("My sister Clara lives in Lisbon and works there as an architect.", lines.get(0), prompt);
        assertFalse(prompt.contains("Reykjavik"), "another user's memory leaked into the prompt: " + prompt);
        assertEquals(question, sent.get(2).path("content").asText());

        HttpResponse<String> messages = h.call("GET", "/v1/conversations/" + conversation + "/messages", null, aliceAuth);
        assertEquals(200, messages.statusCode(), messages.body());
        JsonNode data = json(messages).path("data");
        assertEquals(2, data.size(), data.toString());
        assertTrue(data.get(0).path("memories").isNull() || data.get(0).path("memories").isMissingNode(), data.toString());
        JsonNode used = data.get(1).path("memories");
        assertEquals("assistant", data.get(1).path("role").asText());
        assertEquals(count, used.size(), used.toString());
        assertEquals(aliceSister, used.get(0).path("id").asText(), used.toString());
        for (JsonNode m : used) {
            assertTrue(aliceIds.contains(m.path("id").asText()), "only Alice's memories are recorded: " + used);
            assertTrue(m.path("score").asDouble() > 0, used.toString());
        }

        HttpResponse<String> asBob = h.chat(chat(question, "\"stream\":true,\"memory\":{\"enabled\":true,\"limit\":1}"),
                                            h.bearer(bob));
        assertEquals(200, asBob.statusCode(), asBob.body());
        assertEquals("used", asBob.headers().firstValue("X-Memory-Status").orElseThrow());
        assertEquals("1", asBob.headers().firstValue("X-Memory-Count").orElseThrow());
        assertTrue(asBob.body().endsWith("data: [DONE]\n\n"), asBob.body());
        String bobPrompt = h.upstream.lastBody("openai").path("messages").get(1).path("content").asText();
        assertEquals(List.of("My sister Clara lives in Reykjavik and teaches the piano."), memoryLines(bobPrompt));
        assertFalse(bobPrompt.contains("Lisbon"), bobPrompt);

        String stranger = "mem-carol-" + UUID.randomUUID();
        HttpResponse<String> none = h.chat(chat(question, "\"memory\":{\"enabled\":true}"), h.bearer(stranger));
        assertEquals(200, none.statusCode(), none.body());
        assertEquals("none", none.headers().firstValue("X-Memory-Status").orElseThrow());
        assertEquals("0", none.headers().firstValue("X-Memory-Count").orElseThrow());
        assertEquals(2, h.upstream.lastBody("openai").path("messages").size(), "no memory prompt without memories");
    }

    @Test
    @Order(2)
    void chatAnswersWithoutMemoriesAndSaysSoOnceSvcMemoryIsStopped() throws Exception {
        String dora = "mem-dora-" + UUID.randomUUID();
        String id = remember(dora, "My favourite colour is teal.");
        String question = "What is my favourite colour?";
        awaitSearchable(dora, question, id);
        String doraAuth = h.bearer(dora);
        HttpResponse<String> before = h.chat(chat(question, "\"memory\":{\"enabled\":true,\"limit\":1}"), doraAuth);
        assertEquals(200, before.statusCode(), before.body());
        assertEquals("used", before.headers().firstValue("X-Memory-Status").orElseThrow());

        memory.stop();
        HttpResponse<String> created = h.call("POST", "/v1/conversations", "{}", doraAuth);
        assertEquals(201, created.statusCode(), created.body());
        String conversation = json(created).path("id").asText();
        HttpResponse<String> r = h.chat(chat(question, "\"conversation_id\":\"" + conversation + "\","
                + "\"memory\":{\"enabled\":true,\"limit\":1}"), doraAuth);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("unavailable", r.headers().firstValue("X-Memory-Status").orElseThrow());
        assertTrue(r.headers().firstValue("X-Memory-Count").isEmpty(), r.headers().map().toString());
        assertEquals("Hello from openai!", json(r).path("choices").get(0).path("message").path("content").asText());
        JsonNode sent = h.upstream.lastBody("openai").path("messages");
        assertEquals(2, sent.size(), "no memory prompt: " + sent);
        JsonNode answer = json(h.call("GET", "/v1/conversations/" + conversation + "/messages", null, doraAuth)).path("data").get(1);
        assertTrue(answer.path("memories").isNull() || answer.path("memories").isMissingNode(), answer.toString());

        HttpResponse<String> stream = h.chat(chat(question, "\"stream\":true,\"memory\":{\"enabled\":true}"), doraAuth);
        assertEquals(200, stream.statusCode(), stream.body());
        assertEquals("unavailable", stream.headers().firstValue("X-Memory-Status").orElseThrow());
        assertTrue(stream.body().endsWith("data: [DONE]\n\n"), stream.body());
    }

    private static String chat(String question, String extra) {
        return "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"" + question + "\"}]," + extra + "}";
    }

    /** The memory texts of the memory system message, in order. */
    private static List<String> memoryLines(String prompt) {
        assertTrue(prompt.startsWith("Relevant memories about the user"), prompt);
        List<String> lines = new ArrayList<>();
        for (String line : prompt.split("\n")) {
            if (line.startsWith("- ")) {
                lines.add(line.substring(2));
            }
        }
        return lines;
    }

    private static String remember(String user, String text) throws Exception {
        HttpResponse<String> r = memoryCall("/v1/memories", user, FakeUpstream.JSON.writeValueAsString(Map.of("text", text)));
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    /** Until svc-memory finds the memory by meaning (the relay has embedded and indexed it). */
    private static void awaitSearchable(String user, String query, String id) throws Exception {
        String body = FakeUpstream.JSON.writeValueAsString(Map.of("query", query, "limit", 1));
        String[] last = {""};
        await("memory " + id + " searchable by meaning", () -> {
            try {
                HttpResponse<String> r = memoryCall("/v1/memories/search", user, body);
                last[0] = r.body();
                JsonNode top = json(r).path("results").path(0);
                return r.statusCode() == 200 && id.equals(top.path("id").asText())
                        && top.path("scores").path("semantic").asDouble() > 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, () -> last[0]);
    }

    private static HttpResponse<String> memoryCall(String path, String user, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(memory.baseUrl() + path))
                                 .header("Authorization", h.bearer(user))
                                 .header("Content-Type", "application/json")
                                 .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    private static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> detail) {
        Instant deadline = Instant.now().plus(INDEXING);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("Waited " + INDEXING.toSeconds() + " s for " + what + "; last: " + detail.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }
}
