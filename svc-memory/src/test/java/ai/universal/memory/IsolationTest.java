package ai.universal.memory;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One user never sees, finds, changes or deletes another's memories, through any endpoint. */
class IsolationTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void anotherUsersMemoriesAreInvisibleAndUntouchable() {
        MemoryStack.User alice = stack.user();
        MemoryStack.User mallory = stack.user();
        String id = alice.api().post("/v1/memories", Map.of("text", "Alice's bank PIN hint: her first cat's name",
                                                            "metadata", Map.of("secret", true))).json().path("id").asText();
        stack.awaitIndexed();

        for (Api.Reply r : List.of(mallory.api().get("/v1/memories/" + id),
                                   mallory.api().patch("/v1/memories/" + id, Map.of("text", "hijacked")),
                                   mallory.api().delete("/v1/memories/" + id),
                                   mallory.api().get("/v1/memories/" + id + "/history"))) {
            assertEquals(404, r.status(), r.body());
            assertEquals("memory_not_found", r.json().path("code").asText());
        }
        assertEquals(0, mallory.api().get("/v1/memories?include_expired=true").json().path("memories").size());
        assertEquals(0, mallory.api().get("/v1/memories?metadata=" + Api.q("{\"secret\":true}")).json().path("memories").size());
        JsonNode found = mallory.api().post("/v1/memories/search", Map.of("query", "bank PIN hint cat name")).json();
        assertEquals(0, found.path("results").size(), found.toString());
        assertEquals(0, mallory.api().send("DELETE", "/v1/memories", Map.of("all", true), "application/json").json()
                .path("deleted").asInt());
        assertEquals("", mallory.api().get("/v1/memories/export").body());
        // The same text in Mallory's account is a new memory, not a dedupe hit on Alice's.
        JsonNode copy = mallory.api().post("/v1/memories", Map.of("text", "Alice's bank PIN hint: her first cat's name")).json();
        assertEquals("added", copy.path("result").asText());

        JsonNode mine = alice.api().get("/v1/memories/" + id).json();
        assertEquals("Alice's bank PIN hint: her first cat's name", mine.path("text").asText());
        assertEquals(1, mine.path("version").asInt());
        assertEquals(id, alice.api().post("/v1/memories/search", Map.of("query", "bank PIN hint")).json()
                .path("results").get(0).path("id").asText());
    }

    @Test
    void onlyAnAdminOrServiceMayActForAnotherUser() {
        MemoryStack.User alice = stack.user();
        MemoryStack.User mallory = stack.user();
        alice.api().post("/v1/memories", Map.of("text", "Alice likes sailing"));
        Api.Reply refused = mallory.api().get("/v1/memories?user_id=" + alice.id());
        assertEquals(403, refused.status());
        assertEquals("forbidden", refused.json().path("code").asText());
        assertEquals(403, mallory.api().post("/v1/memories", Map.of("text", "planted", "user_id", alice.id())).status());

        Api admin = stack.admin();
        JsonNode list = admin.get("/v1/memories?user_id=" + alice.id()).json().path("memories");
        assertEquals(1, list.size());
        Api.Reply added = admin.post("/v1/memories", Map.of("text", "Alice's flight lands at 9", "user_id", alice.id()));
        assertEquals(201, added.status());
        assertEquals(alice.id(), added.json().path("owner").asText());
        String service = stack.auth.token("svc-chat", List.of("service"), "memories");
        assertEquals(2, stack.as(service).get("/v1/memories?user_id=" + alice.id()).json().path("memories").size());
        Api.Reply forAlice = stack.as(service).post("/v1/memories", Map.of("text", "Alice's seat on the ferry is 14C",
                                                                          "user_id", alice.id()));
        assertEquals(201, forAlice.status(), forAlice.body());
        assertEquals(alice.id(), forAlice.json().path("owner").asText());
        JsonNode found = stack.as(service).post("/v1/memories/search", Map.of("query", "ferry seat 14C",
                                                                              "user_id", alice.id())).json();
        assertEquals(forAlice.json().path("id").asText(), found.path("results").get(0).path("id").asText(),
                     found.toString());
        assertEquals(0, mallory.api().post("/v1/memories/search", Map.of("query", "ferry seat 14C")).json()
                .path("results").size());
        JsonNode history = alice.api().get("/v1/memories/" + added.json().path("id").asText() + "/history").json();
        assertTrue(history.path("history").get(0).path("actor").asText().startsWith("admin-"));
    }
}
