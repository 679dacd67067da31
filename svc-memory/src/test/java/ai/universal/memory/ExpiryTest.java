package ai.universal.memory;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expiry by the service's clock (moved forward, never waited for): hidden, shown on request, purged after grace. */
class ExpiryTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void expiredMemoryDisappearsThenIsPurgedAfterTheGracePeriod() {
        MemoryStack.User u = stack.user();
        String id = u.api().post("/v1/memories", Map.of("text", "The parking code this week is 4471", "expires_in", 60))
                .json().path("id").asText();
        u.api().post("/v1/memories", Map.of("text", "Permanent: my birthday is in May"));
        stack.awaitIndexed();
        assertEquals(2, u.api().get("/v1/memories").json().path("memories").size());
        assertEquals(id, firstHit(u, "parking code"));

        stack.clock.advance(Duration.ofSeconds(61));
        assertEquals(1, u.api().get("/v1/memories").json().path("memories").size());
        assertEquals(2, u.api().get("/v1/memories?include_expired=true").json().path("memories").size());
        assertEquals(404, u.api().get("/v1/memories/" + id).status());
        assertEquals(200, u.api().get("/v1/memories/" + id + "?include_expired=true").status());
        JsonNode hits = u.api().post("/v1/memories/search", Map.of("query", "parking code 4471")).json().path("results");
        hits.forEach(h -> assertTrue(!h.path("id").asText().equals(id), "expired memory found: " + h));
        JsonNode withExpired = u.api().post("/v1/memories/search", Map.of("query", "parking code 4471", "filters",
                                                                          Map.of("include_expired", true))).json();
        assertEquals(id, withExpired.path("results").get(0).path("id").asText());

        Api admin = stack.admin();
        assertEquals(200, admin.post("/v1/memories/admin/purge", Map.of()).status());
        assertEquals(200, u.api().get("/v1/memories/" + id + "?include_expired=true").status(), "kept within the grace");
        stack.clock.advance(Duration.ofSeconds(11));
        Api.Reply purge = admin.post("/v1/memories/admin/purge", Map.of());
        assertTrue(purge.json().path("purged").asInt() >= 1, purge.body());
        assertEquals(404, u.api().get("/v1/memories/" + id + "?include_expired=true").status());
        JsonNode history = u.api().get("/v1/memories/" + id + "/history").json().path("history");
        assertEquals("deleted", history.get(history.size() - 1).path("event").asText());
        assertEquals("expired", history.get(history.size() - 1).path("reason").asText());
        assertEquals("system", history.get(history.size() - 1).path("actor").asText());
        assertEquals(403, u.api().post("/v1/memories/admin/purge", Map.of()).status());
    }

    private static String firstHit(MemoryStack.User u, String query) {
        return u.api().post("/v1/memories/search", Map.of("query", query)).json().path("results").get(0).path("id").asText();
    }
}
