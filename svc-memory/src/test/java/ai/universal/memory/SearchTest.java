package ai.universal.memory;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchTest {
    private static MemoryStack stack;
    private static MemoryStack.User user;
    private static Map<String, String> ids = new java.util.HashMap<>();

    @BeforeAll
    static void seed() {
        stack = MemoryStack.get();
        user = stack.user();
        List<Map<String, Object>> memories = List.of(
                Map.of("text", "The wifi password at the cabin is XK42-PLUM.", "metadata", Map.of("topic", "home")),
                Map.of("text", "Alice is allergic to peanuts and carries an epinephrine pen.",
                       "metadata", Map.of("topic", "health")),
                Map.of("text", "I enjoy hiking in the Alps during the summer holidays.", "metadata", Map.of("topic", "travel")),
                Map.of("text", "Our quarterly planning meeting happens every first Monday.",
                       "metadata", Map.of("topic", "work")),
                Map.of("text", "The dog needs his heartworm medicine on the 15th of each month.",
                       "metadata", Map.of("topic", "pets"), "importance", 0.9),
                Map.of("text", "Bob prefers tea over coffee in the morning.", "metadata", Map.of("topic", "food")));
        JsonNode added = user.api().post("/v1/memories", Map.of("memories", memories)).json().path("memories");
        added.forEach(m -> ids.put(m.path("metadata").path("topic").asText(), m.path("id").asText()));
        stack.awaitIndexed();
    }

    @Test
    void exactKeywordIsFoundFirst() {
        JsonNode r = search(Map.of("query", "XK42-PLUM", "limit", 3));
        assertEquals("ok", r.path("semantic").asText());
        JsonNode top = r.path("results").get(0);
        assertEquals(ids.get("home"), top.path("id").asText(), r.toString());
        assertEquals(1.0, top.path("scores").path("keyword").asDouble());
        assertTrue(top.path("score").asDouble() > r.path("results").get(1).path("score").asDouble());
    }

    @Test
    void paraphraseWithoutSharedWordsIsFoundSemantically() {
        JsonNode r = search(Map.of("query", "Which foods must Alice avoid?", "limit", 3));
        JsonNode top = r.path("results").get(0);
        assertEquals(ids.get("health"), top.path("id").asText(), r.toString());
        assertTrue(top.path("scores").path("semantic").asDouble() > 0.3, top.toString());
        assertEquals(List.of("semantic", "keyword", "recency", "importance"),
                     iterable(top.path("scores").fieldNames()));
        assertTrue(top.has("text") && top.has("metadata") && top.has("score"));

        JsonNode mountains = search(Map.of("query", "mountain trekking vacation", "limit", 1));
        assertEquals(ids.get("travel"), mountains.path("results").get(0).path("id").asText(), mountains.toString());
    }

    @Test
    void limitMinScoreAndFiltersNarrowResults() {
        JsonNode r = search(Map.of("query", "pets medicine", "limit", 2));
        assertEquals(2, r.path("results").size());
        JsonNode strict = search(Map.of("query", "pets medicine", "limit", 10, "min_score", 0.5));
        strict.path("results").forEach(h -> assertTrue(h.path("score").asDouble() >= 0.5));
        assertTrue(strict.path("results").size() < 6);
        JsonNode filtered = search(Map.of("query", "drinks in the morning", "limit", 10,
                                          "filters", Map.of("metadata", Map.of("key", "topic", "in", List.of("work", "home")))));
        filtered.path("results").forEach(h -> assertTrue(List.of("work", "home")
                                                                 .contains(h.path("metadata").path("topic").asText())));
        assertEquals(2, filtered.path("results").size());
    }

    @Test
    void importanceWeightLiftsImportantMemories() {
        JsonNode plain = search(Map.of("query", "schedule", "limit", 6, "weights", Map.of("semantic", 0, "keyword", 0,
                                                                                          "importance", 1)));
        assertEquals(ids.get("pets"), plain.path("results").get(0).path("id").asText(), plain.toString());
        assertEquals(0.9, plain.path("results").get(0).path("score").asDouble(), 1e-6);
    }

    @Test
    void badSearchesAreRefused() {
        MemoryCrudTest.assertProblem(user.api().post("/v1/memories/search", Map.of("limit", 3)), 400, "missing_field", "query");
        MemoryCrudTest.assertProblem(user.api().post("/v1/memories/search", Map.of("query", " ")), 400, "empty_query", "query");
        MemoryCrudTest.assertProblem(user.api().post("/v1/memories/search", Map.of("query", "a", "limit", 1000)), 400,
                                     "invalid_value", "limit");
        MemoryCrudTest.assertProblem(user.api().post("/v1/memories/search", Map.of("query", "a", "weights",
                                                                                   Map.of("semantic", -1))),
                                     422, "out_of_range", "weights.semantic");
        MemoryCrudTest.assertProblem(user.api().post("/v1/memories/search", Map.of("query", "a", "filters",
                                                                                   Map.of("metadata", Map.of("or", List.of())))),
                                     400, "invalid_filter", "filters.metadata.or");
    }

    private static JsonNode search(Map<String, Object> body) {
        Api.Reply r = user.api().post("/v1/memories/search", body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
