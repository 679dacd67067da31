package ai.universal.memory;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caller weights recency and importance; every hit's score is the weighted sum of the components it returns. */
class SearchScoringTest {

    @Test
    void recencyWeightPrefersTheFresherMemoryAndEveryScoreIsTheWeightedSumOfItsComponents() {
        MemoryStack stack = MemoryStack.get();
        MemoryStack.User u = stack.user();
        String old = add(u, "Old note: the garden shed key hangs by the back door.", 0.2);
        stack.clock.advance(Duration.ofSeconds(180));
        String fresh = add(u, "New note: the garden shed key now lives in the kitchen drawer.", 0.8);
        stack.awaitIndexed();

        // Half-life 0.05 h = 180 s: the old note is one half-life (plus the seconds this test took) older.
        JsonNode byRecency = search(u, Map.of("query", "garden shed key", "recency_half_life_hours", 0.05,
                                              "weights", Map.of("semantic", 0, "keyword", 0, "recency", 1, "importance", 0)));
        assertEquals(2, byRecency.size(), byRecency.toString());
        assertEquals(fresh, byRecency.get(0).path("id").asText(), byRecency.toString());
        double freshRecency = byRecency.get(0).path("scores").path("recency").asDouble();
        double oldRecency = byRecency.get(1).path("scores").path("recency").asDouble();
        assertTrue(freshRecency > 0.8 && freshRecency <= 1.0, byRecency.toString());
        assertTrue(oldRecency > 0.3 && oldRecency <= 0.5, byRecency.toString());
        assertEquals(oldRecency, byRecency.get(1).path("score").asDouble(), 1e-6);

        Map<String, Double> weights = Map.of("semantic", 0.5, "keyword", 0.2, "recency", 0.3, "importance", 1.0);
        JsonNode mixed = search(u, Map.of("query", "where is the shed key", "recency_half_life_hours", 0.05,
                                          "weights", weights));
        assertEquals(fresh, mixed.get(0).path("id").asText(), mixed.toString());
        assertEquals(old, mixed.get(1).path("id").asText(), mixed.toString());
        for (JsonNode hit : mixed) {
            assertWeightedSum(hit, weights);
            assertEquals(hit.path("importance").asDouble(), hit.path("scores").path("importance").asDouble(), 1e-6);
        }

        // No weights given: the service defaults (semantic 0.7, keyword 0.3, recency 0, importance 0).
        JsonNode plain = search(u, Map.of("query", "garden shed key hangs by the back door"));
        assertEquals(old, plain.get(0).path("id").asText(), plain.toString());
        for (JsonNode hit : plain) {
            assertWeightedSum(hit, Map.of("semantic", 0.7, "keyword", 0.3, "recency", 0.0, "importance", 0.0));
        }
    }

    private static void assertWeightedSum(JsonNode hit, Map<String, Double> weights) {
        double sum = 0;
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            sum += w.getValue() * hit.path("scores").path(w.getKey()).asDouble();
        }
        assertEquals(sum, hit.path("score").asDouble(), 1e-5, hit.toString());
    }

    private static String add(MemoryStack.User u, String text, double importance) {
        Api.Reply r = u.api().post("/v1/memories", Map.of("text", text, "importance", importance));
        assertEquals(201, r.status(), r.body());
        return r.json().path("id").asText();
    }

    private static JsonNode search(MemoryStack.User u, Map<String, Object> body) {
        Api.Reply r = u.api().post("/v1/memories/search", body);
        assertEquals(200, r.status(), r.body());
        return r.json().path("results");
    }
}
