package ai.universal.memory;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryCrudTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void addedMemoryIsStoredForTheCallerAndReadBack() {
        MemoryStack.User u = stack.user();
        Api.Reply add = u.api().post("/v1/memories", Map.of("text", "  I live in Lisbon.  ", "metadata", Map.of("topic", "home"),
                                                            "agent_id", "assistant", "importance", 0.8));
        assertEquals(201, add.status(), add.body());
        JsonNode m = add.json();
        assertEquals("added", m.path("result").asText());
        assertEquals("I live in Lisbon.", m.path("text").asText());
        assertEquals(u.id(), m.path("owner").asText());
        assertEquals("default", m.path("scope").asText());
        assertEquals("assistant", m.path("agent_id").asText());
        assertEquals(0.8, m.path("importance").asDouble());
        assertEquals("home", m.path("metadata").path("topic").asText());
        assertEquals(1, m.path("version").asInt());
        assertTrue(m.path("expires_at").isNull());

        Api.Reply get = u.api().get("/v1/memories/" + m.path("id").asText());
        assertEquals(200, get.status());
        assertEquals("I live in Lisbon.", get.json().path("text").asText());
        assertEquals(m.path("created_at").asText(), get.json().path("created_at").asText());
    }

    @Test
    void patchChangesTextMergesMetadataAndRecordsHistory() {
        MemoryStack.User u = stack.user();
        JsonNode added = u.api().post("/v1/memories", Map.of("text", "My car is red.", "metadata",
                                                             Map.of("topic", "car", "brand", "Fiat"))).json();
        String id = added.path("id").asText();
        Map<String, Object> removeBrand = java.util.Collections.singletonMap("brand", null);
        Api.Reply patch = u.api().patch("/v1/memories/" + id, Map.of("text", "My car is green.", "metadata", removeBrand));
        assertEquals(200, patch.status(), patch.body());
        assertEquals("My car is green.", patch.json().path("text").asText());
        assertEquals("{\"topic\":\"car\"}", patch.json().path("metadata").toString());
        assertEquals(2, patch.json().path("version").asInt());

        JsonNode history = u.api().get("/v1/memories/" + id + "/history").json().path("history");
        assertEquals(2, history.size());
        assertEquals("added", history.get(0).path("event").asText());
        assertTrue(history.get(0).path("previous").isNull());
        assertEquals("updated", history.get(1).path("event").asText());
        assertEquals("patch", history.get(1).path("reason").asText());
        assertEquals(u.id(), history.get(1).path("actor").asText());
        assertEquals("My car is red.", history.get(1).path("previous").path("text").asText());
        assertEquals("Fiat", history.get(1).path("previous").path("metadata").path("brand").asText());
        assertEquals("My car is green.", history.get(1).path("current").path("text").asText());
        assertEquals("car", history.get(1).path("current").path("metadata").path("topic").asText());
        // when: the add at the memory's creation, the change at its new updated_at
        assertEquals(Instant.parse(added.path("created_at").asText()), Instant.parse(history.get(0).path("at").asText()));
        assertEquals(Instant.parse(patch.json().path("updated_at").asText()),
                     Instant.parse(history.get(1).path("at").asText()));
        assertTrue(Instant.parse(history.get(1).path("at").asText()).isAfter(Instant.parse(history.get(0).path("at").asText())));
    }

    @Test
    void deletedMemoryIsGoneButItsHistoryRemains() {
        MemoryStack.User u = stack.user();
        String id = u.api().post("/v1/memories", Map.of("text", "Temporary note")).json().path("id").asText();
        assertEquals(204, u.api().delete("/v1/memories/" + id).status());
        Api.Reply get = u.api().get("/v1/memories/" + id);
        assertEquals(404, get.status());
        assertEquals("memory_not_found", get.json().path("code").asText());
        assertEquals(404, u.api().delete("/v1/memories/" + id).status());
        JsonNode history = u.api().get("/v1/memories/" + id + "/history").json().path("history");
        assertEquals(List.of("added", "deleted"), List.of(history.get(0).path("event").asText(),
                                                         history.get(1).path("event").asText()));
        assertEquals("Temporary note", history.get(1).path("previous").path("text").asText());
        assertTrue(history.get(1).path("current").isNull());
    }

    @Test
    void batchAddStoresAllAndReportsEachItem() {
        MemoryStack.User u = stack.user();
        Api.Reply add = u.api().post("/v1/memories", Map.of("memories", List.of(
                Map.of("text", "Batch one about gardening tomatoes"),
                Map.of("text", "Batch two about the violin lessons on Tuesday"),
                Map.of("text", "Batch one about gardening tomatoes"))));
        assertEquals(201, add.status(), add.body());
        JsonNode body = add.json();
        assertEquals(2, body.path("added").asInt());
        assertEquals(1, body.path("unchanged").asInt());
        assertEquals("unchanged", body.path("memories").get(2).path("result").asText());
        assertEquals(body.path("memories").get(0).path("id").asText(), body.path("memories").get(2).path("id").asText());
        assertEquals(2, u.api().get("/v1/memories").json().path("memories").size());
    }

    @Test
    void batchWithOneBadItemStoresNothing() {
        MemoryStack.User u = stack.user();
        Api.Reply add = u.api().post("/v1/memories", Map.of("memories", List.of(
                Map.of("text", "fine one"), Map.of("text", "fine two"), Map.of("text", "   "))));
        assertEquals(400, add.status());
        assertEquals("empty_text", add.json().path("code").asText());
        assertEquals("memories[2].text", add.json().path("errors").get(0).path("field").asText());
        assertEquals(0, u.api().get("/v1/memories").json().path("memories").size());
    }

    @Test
    void badInputIsRefusedWithClearStatus() {
        MemoryStack.User u = stack.user();
        Api api = u.api();
        assertProblem(api.post("/v1/memories", Map.of("metadata", Map.of())), 400, "missing_field", "text");
        assertProblem(api.post("/v1/memories", Map.of("text", 5)), 400, "invalid_type", "text");
        assertProblem(api.post("/v1/memories", Map.of("text", "x".repeat(8001))), 422, "text_too_long", "text");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "metadata", Map.of("blob", "y".repeat(17000)))),
                      422, "metadata_too_large", "metadata");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "metadata", List.of(1))), 400, "invalid_type", "metadata");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "importance", 1.5)), 422, "out_of_range", "importance");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "expires_at", "tomorrow")), 400, "invalid_value",
                      "expires_at");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "expires_at", "2001-01-01T00:00:00Z")), 422,
                      "expires_in_past", "expires_at");
        assertProblem(api.post("/v1/memories", Map.of("text", "a", "scope", "has space")), 400, "invalid_scope", "scope");
        assertProblem(api.post("/v1/memories", Map.of("text", "a\u0000b")), 400, "invalid_text", "text");
        assertProblem(api.post("/v1/memories", Map.of("memories", List.of())), 400, "empty_batch", "memories");
        assertProblem(api.post("/v1/memories", Map.of("memories", java.util.Collections.nCopies(101, Map.of("text", "t")))),
                      413, "too_many_memories", "memories");
        assertEquals(415, api.send("POST", "/v1/memories", "text=hello", "text/plain").status());
        assertEquals(400, api.send("POST", "/v1/memories", "{\"text\":", "application/json").status());
        assertProblem(api.get("/v1/memories?limit=0"), 400, "invalid_value", "limit");
        assertProblem(api.get("/v1/memories?cursor=bogus"), 400, "invalid_cursor", "cursor");
        assertProblem(api.get("/v1/memories?metadata=" + Api.q("{\"key\":\"a\",\"near\":1}")), 400, "invalid_filter",
                      "metadata.near");
        assertProblem(api.get("/v1/memories?metadata=" + Api.q("{nope")), 400, "invalid_filter", "metadata");
        assertProblem(api.get("/v1/memories?created_after=yesterday"), 400, "invalid_filter", "created_after");
        assertEquals(404, api.get("/v1/memories/not-a-uuid").status());
        assertEquals(404, api.get("/v1/memories/" + java.util.UUID.randomUUID()).status());
        assertProblem(api.patch("/v1/memories/" + java.util.UUID.randomUUID(), Map.of()), 400, "invalid_patch", "");
        assertEquals(401, stack.as(null).get("/v1/memories").status());
        assertEquals(401, stack.as("not-a-token").get("/v1/memories").status());
    }

    @Test
    void aKeyWithoutTheMemoriesScopeIsForbidden() {
        String key = stack.auth.apiKey("user-" + java.util.UUID.randomUUID(), List.of("vectors"));
        Api.Reply r = stack.as(key).get("/v1/memories");
        assertEquals(403, r.status());
        Api.Reply write = stack.as(stack.auth.apiKey("user-x", List.of("memories:read"))).post("/v1/memories",
                                                                                              Map.of("text", "t"));
        assertEquals(403, write.status());
    }

    @Test
    void listPagesThroughEveryMemoryOnceNewestFirst() {
        MemoryStack.User u = stack.user();
        for (int i = 0; i < 5; i++) {
            assertEquals(201, u.api().post("/v1/memories", Map.of("text", "page item number " + i, "dedupe", false)).status());
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = u.api().get("/v1/memories?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("memories").forEach(m -> assertTrue(seen.add(m.path("id").asText()), "repeated " + m));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertEquals(5, seen.size());
        assertEquals(3, pages);
        JsonNode first = u.api().get("/v1/memories?limit=5").json().path("memories");
        assertEquals("page item number 4", first.get(0).path("text").asText());
        assertFalse(first.get(4).path("text").asText().isEmpty());
    }

    static void assertProblem(Api.Reply r, int status, String code, String field) {
        assertEquals(status, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals(code, body.path("code").asText(), r.body());
        assertEquals(status, body.path("status").asInt());
        if (field != null) {
            assertEquals(field, body.path("errors").get(0).path("field").asText(), r.body());
        }
    }
}
