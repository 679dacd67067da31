package ai.universal.memory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter language through GET /v1/memories, search, and delete by filter, on one user's seeded memories. */
class FilterTest {
    private static MemoryStack stack;
    private static MemoryStack.User user;
    private static String createdBetween;

    @BeforeAll
    static void seed() {
        stack = MemoryStack.get();
        user = stack.user();
        add("m1", Map.of("color", "red", "size", 3, "tags", List.of("a", "b"), "note", "likes green tea",
                         "when", "2026-01-10", "nested", Map.of("level", 1)), "default", "agent-1");
        add("m2", Map.of("color", "blue", "size", 7, "tags", List.of("b"), "when", "2026-03-01"), "default", "agent-2");
        add("m3", Map.of("color", "red", "size", 10, "nested", Map.of("level", 2)), "work", "agent-1");
        createdBetween = stack.clock.instant().toString();
        add("m4", Map.of("size", "large", "tags", List.of("c")), "work", null);
    }

    private static void add(String name, Map<String, Object> metadata, String scope, String agent) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("text", "filter memory " + name, "metadata",
                                                                  withName(metadata, name), "scope", scope, "dedupe", false));
        if (agent != null) {
            body.put("agent_id", agent);
        }
        assertEquals(201, user.api().post("/v1/memories", body).status());
    }

    private static Map<String, Object> withName(Map<String, Object> metadata, String name) {
        Map<String, Object> m = new java.util.HashMap<>(metadata);
        m.put("name", name);
        return m;
    }

    @Test
    void eachOperatorSelectsTheRightMemories() {
        assertEquals(Set.of("m1", "m3"), names(Map.of("key", "color", "eq", "red")));
        assertEquals(Set.of("m2", "m4"), names(Map.of("key", "color", "ne", "red")));
        assertEquals(Set.of("m1", "m2", "m3"), names(Map.of("key", "color", "in", List.of("red", "blue"))));
        assertEquals(Set.of("m2", "m3"), names(Map.of("key", "size", "gt", 3)));
        assertEquals(Set.of("m1", "m2"), names(Map.of("key", "size", "gte", 3, "lt", 10)));
        assertEquals(Set.of("m2"), names(Map.of("key", "when", "gte", "2026-02-01")));
        assertEquals(Set.of("m1", "m2"), names(Map.of("key", "tags", "contains", "b")));
        assertEquals(Set.of("m1"), names(Map.of("key", "note", "contains", "green")));
        assertEquals(Set.of("m3"), names(Map.of("key", "nested.level", "eq", 2)));
        assertEquals(Set.of("m1", "m3"), names(Map.of("key", "nested", "exists", true)));
        assertEquals(Set.of("m1", "m3"), names(Map.of("color", "red")));
    }

    @Test
    void conditionsCombineWithAndOrNot() {
        assertEquals(Set.of("m1"), names(Map.of("and", List.of(Map.of("key", "color", "eq", "red"),
                                                             Map.of("key", "size", "lt", 5)))));
        assertEquals(Set.of("m2", "m3"), names(Map.of("or", List.of(Map.of("key", "color", "eq", "blue"),
                                                                  Map.of("key", "size", "gte", 10)))));
        assertEquals(Set.of("m2", "m4"), names(Map.of("not", Map.of("key", "color", "eq", "red"))));
        assertEquals(Set.of("m4"), names(Map.of("not", Map.of("or", List.of(Map.of("key", "color", "exists", true),
                                                                            Map.of("key", "tags", "contains", "a"))))));
    }

    @Test
    void scopeAgentAndTimeFiltersApply() {
        assertEquals(Set.of("m3", "m4"), names("scope=work"));
        assertEquals(Set.of("m1", "m2", "m3", "m4"), names("scope=work,default"));
        assertEquals(Set.of("m1", "m3"), names("agent_id=agent-1"));
        assertEquals(Set.of("m4"), names("created_after=" + Api.q(createdBetween)));
        assertEquals(Set.of("m1", "m2", "m3"), names("created_before=" + Api.q(createdBetween)));
    }

    @Test
    void updatedAndCreatedRangesSelectByTheirOwnTimestamp() {
        String mark = stack.clock.instant().toString();
        String m2 = user.api().get("/v1/memories?metadata=" + Api.q("{\"name\":\"m2\"}")).json().path("memories").get(0)
                .path("id").asText();
        assertEquals(200, user.api().patch("/v1/memories/" + m2, Map.of("importance", 0.75)).status());
        assertEquals(Set.of("m2"), names("updated_after=" + Api.q(mark)));
        assertEquals(Set.of("m1", "m3", "m4"), names("updated_before=" + Api.q(mark)));
        // m2 was created before the mark: created ranges do not move with an update
        assertEquals(Set.of(), names("created_after=" + Api.q(mark)));
        assertEquals(Set.of("m4"), names("created_after=" + Api.q(createdBetween) + "&created_before=" + Api.q(mark)));
        JsonNode found = user.api().post("/v1/memories/search", Map.of("query", "filter memory", "limit", 10, "filters",
                                                                       Map.of("updated_after", mark))).json();
        assertEquals(1, found.path("results").size(), found.toString());
        assertEquals(m2, found.path("results").get(0).path("id").asText());
    }

    @Test
    void deleteByFilterCountsOnDryRunThenDeletes() {
        MemoryStack.User u = stack.user();
        for (String s : List.of("alpha", "beta", "gamma")) {
            int batch = s.equals("gamma") ? 2 : 1;
            u.api().post("/v1/memories", Map.of("text", "to delete " + s, "metadata", Map.of("batch", batch)));
        }
        String filter = "metadata=" + Api.q("{\"key\":\"batch\",\"eq\":1}");
        Api.Reply dry = u.api().delete("/v1/memories?dry_run=true&" + filter);
        assertEquals(200, dry.status(), dry.body());
        assertEquals(2, dry.json().path("matched").asInt());
        assertEquals(0, dry.json().path("deleted").asInt());
        assertTrue(dry.json().path("dry_run").asBoolean());
        assertEquals(3, u.api().get("/v1/memories").json().path("memories").size());
        Api.Reply real = u.api().delete("/v1/memories?" + filter);
        assertEquals(2, real.json().path("deleted").asInt());
        assertEquals(1, u.api().get("/v1/memories").json().path("memories").size());
        MemoryCrudTest.assertProblem(u.api().delete("/v1/memories"), 400, "filter_required", "filters");
        Api.Reply dryBody = u.api().send("DELETE", "/v1/memories", Map.of("filters", Map.of("metadata",
                Map.of("key", "batch", "eq", 2)), "dry_run", true), "application/json");
        assertEquals(200, dryBody.status(), dryBody.body());
        assertEquals(1, dryBody.json().path("matched").asInt());
        assertEquals(0, dryBody.json().path("deleted").asInt());
        assertEquals(1, u.api().get("/v1/memories").json().path("memories").size());
        Api.Reply all = u.api().send("DELETE", "/v1/memories", Map.of("all", true), "application/json");
        assertEquals(1, all.json().path("deleted").asInt(), all.body());
        assertEquals(0, u.api().get("/v1/memories").json().path("memories").size());
    }

    private static Set<String> names(Map<String, Object> condition) {
        return names("metadata=" + Api.q(MemoryStore.json(condition)));
    }

    private static Set<String> names(String query) {
        Api.Reply r = user.api().get("/v1/memories?limit=100&" + query);
        assertEquals(200, r.status(), r.body());
        Set<String> out = new TreeSet<>();
        for (JsonNode m : r.json().path("memories")) {
            out.add(m.path("metadata").path("name").asText());
        }
        return out;
    }
}
