package ai.universal.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportImportTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void exportThenImportRestoresTheSameMemories() {
        MemoryStack.User u = stack.user();
        u.api().post("/v1/memories", Map.of("memories", List.of(
                Map.of("text", "Export one: the spare key is under the blue pot", "metadata", Map.of("room", "porch")),
                Map.of("text", "Export two: grandma's lasagna needs 3 layers", "scope", "recipes", "importance", 0.9),
                Map.of("text", "Export three: passport renewal due in 2027", "agent_id", "planner", "expires_in", 86400))));
        Api.Reply export = u.api().get("/v1/memories/export");
        assertEquals(200, export.status());
        assertEquals("application/x-ndjson", export.contentType());
        String ndjson = export.body();
        List<JsonNode> before = lines(ndjson);
        assertEquals(3, before.size());

        assertEquals(3, u.api().send("DELETE", "/v1/memories", Map.of("all", true), "application/json").json()
                .path("deleted").asInt());
        assertEquals(0, u.api().get("/v1/memories").json().path("memories").size());

        Api.Reply imported = u.api().send("POST", "/v1/memories/import", ndjson, "application/x-ndjson");
        assertEquals(200, imported.status(), imported.body());
        assertEquals(3, imported.json().path("imported").asInt());
        assertEquals(3, imported.json().path("added").asInt());
        List<JsonNode> after = lines(u.api().get("/v1/memories/export").body());
        assertEquals(3, after.size());
        for (int i = 0; i < 3; i++) {
            for (String field : List.of("id", "text", "metadata", "scope", "agent_id", "importance", "created_at",
                                        "expires_at")) {
                assertEquals(before.get(i).get(field), after.get(i).get(field), field + " of " + before.get(i));
            }
        }
        Api.Reply again = u.api().send("POST", "/v1/memories/import", ndjson, "application/x-ndjson");
        assertEquals(3, again.json().path("unchanged").asInt(), again.body());
        stack.awaitIndexed();
        JsonNode hit = u.api().post("/v1/memories/search", Map.of("query", "where is the spare key")).json();
        assertEquals(before.get(0).get("text").asText().contains("spare key") ? before.get(0).get("id").asText()
                             : findId(before, "spare key"), hit.path("results").get(0).path("id").asText());
    }

    @Test
    void importIntoAnotherAccountGetsNewIdsAndBadLinesAreRefused() {
        MemoryStack.User a = stack.user();
        a.api().post("/v1/memories", Map.of("text", "Owned by A: likes jazz"));
        String ndjson = a.api().get("/v1/memories/export").body();
        MemoryStack.User b = stack.user();
        Api.Reply imported = b.api().send("POST", "/v1/memories/import", ndjson, "application/x-ndjson");
        assertEquals(200, imported.status(), imported.body());
        String newId = imported.json().path("ids").get(0).asText();
        assertNotEquals(lines(ndjson).get(0).path("id").asText(), newId);
        assertEquals(b.id(), b.api().get("/v1/memories/" + newId).json().path("owner").asText());
        assertEquals(1, a.api().get("/v1/memories").json().path("memories").size());

        Api.Reply bad = b.api().send("POST", "/v1/memories/import", "{\"text\":\"ok\"}\n{\"text\":\n", "application/x-ndjson");
        MemoryCrudTest.assertProblem(bad, 400, "malformed_json", "line 2");
        Api.Reply empty = b.api().send("POST", "/v1/memories/import", "{\"text\":\"ok\"}\n{\"text\":\"\"}\n",
                                       "application/x-ndjson");
        MemoryCrudTest.assertProblem(empty, 400, "empty_text", "memories[1].text");
        assertEquals(1, b.api().get("/v1/memories").json().path("memories").size());
        Api.Reply json = b.api().post("/v1/memories/import", Map.of("memories", List.of(Map.of("text", "from JSON"))));
        assertEquals(1, json.json().path("added").asInt(), json.body());
        assertTrue(b.api().get("/v1/memories").json().path("memories").size() == 2);
    }

    @Test
    void exportStreamsEveryMemoryAcrossPagesInIdOrder() {
        MemoryStack.User u = stack.user();
        int n = 1201; // three export pages of 500
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ndjson.append("{\"text\":\"Streamed export item ").append(i).append("\",\"metadata\":{\"i\":").append(i)
                    .append("}}\n");
        }
        Api.Reply imported = u.api().send("POST", "/v1/memories/import", ndjson.toString(), "application/x-ndjson");
        assertEquals(200, imported.status(), imported.body());
        assertEquals(n, imported.json().path("added").asInt());
        try {
            Api.Reply export = u.api().get("/v1/memories/export");
            assertEquals(200, export.status());
            assertEquals("application/x-ndjson", export.contentType());
            assertTrue(export.headers().firstValue("content-length").isEmpty(), "streamed, not sized up front: "
                    + export.headers().map());
            List<JsonNode> lines = lines(export.body());
            assertEquals(n, lines.size());
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                seen.add(lines.get(i).path("metadata").path("i").asInt());
                if (i > 0) {
                    assertTrue(lines.get(i - 1).path("id").asText().compareTo(lines.get(i).path("id").asText()) < 0,
                               "id order at line " + i);
                }
            }
            assertEquals(n, seen.size());
            List<JsonNode> filtered = lines(u.api().get("/v1/memories/export?metadata="
                    + Api.q("{\"key\":\"i\",\"lt\":10}")).body());
            assertEquals(10, filtered.size());
        } finally {
            u.api().send("DELETE", "/v1/memories", Map.of("all", true), "application/json");
        }
    }

    private static String findId(List<JsonNode> memories, String text) {
        return memories.stream().filter(m -> m.path("text").asText().contains(text)).findFirst().orElseThrow()
                .path("id").asText();
    }

    private static List<JsonNode> lines(String ndjson) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                out.add(MemoryStore.object(line));
            }
        }
        return out;
    }
}
