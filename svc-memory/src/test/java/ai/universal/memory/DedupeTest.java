package ai.universal.memory;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DedupeTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void sameTextAgainIsUnchanged() {
        MemoryStack.User u = stack.user();
        JsonNode first = u.api().post("/v1/memories", Map.of("text", "I drink my coffee black.")).json();
        Api.Reply again = u.api().post("/v1/memories", Map.of("text", "I drink my coffee black."));
        assertEquals(200, again.status(), again.body());
        assertEquals("unchanged", again.json().path("result").asText());
        assertEquals(first.path("id").asText(), again.json().path("id").asText());
        assertEquals(1, u.api().get("/v1/memories/" + first.path("id").asText() + "/history").json().path("history").size());
    }

    @Test
    void nearDuplicateUpdatesTheExistingMemoryAndMergesMetadata() {
        MemoryStack.User u = stack.user();
        JsonNode first = u.api().post("/v1/memories", Map.of("text", "My favourite colour is blue.",
                                                             "metadata", Map.of("source", "chat", "topic", "colors"))).json();
        stack.awaitIndexed();
        Api.Reply second = u.api().post("/v1/memories", Map.of("text", "My favorite color is blue.",
                                                               "metadata", Map.of("source", "form")));
        assertEquals(200, second.status(), second.body());
        JsonNode m = second.json();
        assertEquals("updated", m.path("result").asText());
        assertEquals("semantic", m.path("dedupe").asText());
        assertEquals(first.path("id").asText(), m.path("id").asText());
        assertEquals("My favorite color is blue.", m.path("text").asText());
        assertEquals("form", m.path("metadata").path("source").asText());
        assertEquals("colors", m.path("metadata").path("topic").asText());
        assertTrue(m.path("similarity").asDouble() >= 0.9, m.toString());
        assertEquals(1, u.api().get("/v1/memories").json().path("memories").size());

        JsonNode history = u.api().get("/v1/memories/" + m.path("id").asText() + "/history").json().path("history");
        assertEquals(2, history.size());
        assertEquals("dedupe", history.get(1).path("reason").asText());
        assertEquals("My favourite colour is blue.", history.get(1).path("previous").path("text").asText());
        assertEquals("My favorite color is blue.", history.get(1).path("current").path("text").asText());
    }

    @Test
    void differentTopicOrScopeOrDedupeOffAddsANewMemory() {
        MemoryStack.User u = stack.user();
        String id = u.api().post("/v1/memories", Map.of("text", "I am allergic to shellfish.")).json().path("id").asText();
        stack.awaitIndexed();
        JsonNode unrelated = u.api().post("/v1/memories", Map.of("text", "The meeting moved to Thursday at 3 pm.")).json();
        assertEquals("added", unrelated.path("result").asText());
        JsonNode otherScope = u.api().post("/v1/memories", Map.of("text", "I am allergic to shellfish.", "scope", "medical"))
                .json();
        assertEquals("added", otherScope.path("result").asText());
        assertNotEquals(id, otherScope.path("id").asText());
        Api.Reply off = u.api().post("/v1/memories", Map.of("text", "I am allergic to shellfish.", "dedupe", false));
        assertEquals(201, off.status());
        assertEquals("added", off.json().path("result").asText());
        assertEquals("off", off.json().path("dedupe").asText());
        assertEquals(4, u.api().get("/v1/memories").json().path("memories").size());
    }
}
