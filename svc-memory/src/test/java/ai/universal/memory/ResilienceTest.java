package ai.universal.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * svc-vector down while memories are added: every add still succeeds, the outbox keeps the work, and once svc-vector
 * is back every memory is found by meaning. Then the collection is rebuilt from PostgreSQL alone.
 */
class ResilienceTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void memoriesAddedWhileVectorIsDownBecomeSearchableWhenItReturnsAndReindexRebuildsTheCollection() {
        MemoryStack.User u = stack.user();
        List<String> texts = List.of("The boat's engine oil was changed in April.",
                                     "Our daughter's school play is on the twelfth of June.",
                                     "The landlord's phone number is written in the blue notebook.",
                                     "I stopped eating meat two years ago.",
                                     "The office badge must be renewed every January.");
        List<String> ids = new ArrayList<>();
        stack.stopVector();
        try {
            for (String text : texts) {
                Api.Reply r = u.api().post("/v1/memories", Map.of("text", text));
                assertEquals(201, r.status(), r.body());
                assertEquals("exact", r.json().path("dedupe").asText());
                ids.add(r.json().path("id").asText());
            }
            Api admin = stack.admin();
            Api.await("relay failing on svc-vector", java.time.Duration.ofSeconds(20),
                      () -> admin.get("/v1/memories/admin/outbox").json().path("failing").asLong() >= texts.size());
            JsonNode outbox = admin.get("/v1/memories/admin/outbox").json();
            assertTrue(outbox.path("pending").asLong() >= texts.size(), outbox.toString());
            assertTrue(outbox.path("last_error").asText().contains("svc-vector"), outbox.toString());
            JsonNode degraded = u.api().post("/v1/memories/search", Map.of("query", "landlord phone number")).json();
            assertEquals("unavailable", degraded.path("semantic").asText());
            assertEquals(ids.get(2), degraded.path("results").get(0).path("id").asText(), "keyword side still answers");
        } finally {
            stack.startVectorAgain();
        }
        stack.awaitIndexed();
        assertFoundByMeaning(u, ids);

        Api admin = stack.admin();
        Api.Reply reindex = admin.post("/v1/memories/admin/reindex", Map.of("reembed", true));
        assertEquals(202, reindex.status(), reindex.body());
        long total = reindex.json().path("queued").asLong();
        assertTrue(total >= texts.size());
        assertEquals("memories", reindex.json().path("collection").asText());
        stack.awaitIndexed();
        JsonNode count = stack.vectorApi().post("/v1/vectors/collections/memories/points/count", Map.of()).json();
        assertEquals(total, count.path("count").asLong(), count.toString());
        assertFoundByMeaning(u, ids);
        assertEquals(403, u.api().post("/v1/memories/admin/reindex", Map.of()).status());
    }

    private static void assertFoundByMeaning(MemoryStack.User u, List<String> ids) {
        Map<String, Integer> queries = Map.of("When was the motor maintenance on the vessel?", 0,
                                              "kid's theatre performance date", 1,
                                              "how do I reach the property owner", 2,
                                              "am I vegetarian", 3,
                                              "work access card expiry", 4);
        queries.forEach((query, index) -> {
            JsonNode r = u.api().post("/v1/memories/search", Map.of("query", query, "limit", 1)).json();
            assertEquals("ok", r.path("semantic").asText());
            JsonNode top = r.path("results").get(0);
            assertEquals(ids.get(index), top.path("id").asText(), query + " → " + r);
            assertTrue(top.path("scores").path("semantic").asDouble() > 0.2, top.toString());
        });
    }
}
