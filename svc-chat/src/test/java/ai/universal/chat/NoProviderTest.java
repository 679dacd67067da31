package ai.universal.chat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With no provider configured the gateway still starts, lists no models and says what to set. */
@ExtendWith(RealInfra.class)
class NoProviderTest {

    @TempDir
    static Path dir;

    private static ChatHarness h;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        h = new ChatHarness(infra, dir, Map.of("CHAT_CONFIG", "", "LOCAL_LLM_ENDPOINT", ""));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void modelsIsEmptyAndChatAnswers503NamingTheVariablesToSet() throws Exception {
        JsonNode models = json(h.call("GET", "/v1/models", null, h.bearer("u")));
        assertEquals("list", models.path("object").asText());
        assertEquals(0, models.path("data").size());

        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> r = h.chat(request("gpt-4o", stream, null), h.bearer("u"));
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            JsonNode error = json(r).path("error");
            assertEquals("server_error", error.path("type").asText());
            assertEquals("no_provider_configured", error.path("code").asText());
            for (String variable : new String[] {"LOCAL_LLM_ENDPOINT", "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
                                                 "OPENAI_COMPATIBLE_BASE_URL", "CHAT_CONFIG"}) {
                assertTrue(error.path("message").asText().contains(variable), error.toString());
            }
        }
        HttpResponse<String> health = h.call("GET", "/health", null, null);
        assertEquals(200, health.statusCode(), "no provider is a configuration state, not an unready service");
        assertTrue(health.body().contains("No LLM provider is configured"), health.body());
    }
}
