package ai.universal.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import ai.universal.kit.RunningService;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hub nodes on one real Redis: a publication on one node reaches subscribers on the other exactly once and in
 * publication order, presence spans nodes, and a node that shuts down sends clients to another node, where they
 * recover what they missed.
 */
@ExtendWith(RealInfra.class)
class HubClusterTest {
    private static TestAuthServer auth;
    private static Map<String, String> env;
    private static RunningService a;
    private static RunningService b;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = TestAuthServer.start();
        env = HubNodes.environment(infra.environment(), auth, Map.of("HUB_PUBLISH_RATE", "100000",
                                                                      "HUB_PUBLISH_BURST", "100000"));
        a = HubNodes.start(env);
        b = HubNodes.start(env);
    }

    @AfterAll
    static void stop() {
        a.stop();
        b.stop();
        auth.close();
    }

    private static String user(String id) {
        return auth.token(id, List.of("user"), "*");
    }

    @Test
    void publicationsCrossNodesExactlyOnceInOneOrder() {
        String room = "room:order-" + UUID.randomUUID().toString().substring(0, 8);
        int each = 200;
        try (HubClient onA = HubClient.connect(HubNodes.ws(a), user("watcher-a"));
             HubClient onB = HubClient.connect(HubNodes.ws(b), user("watcher-b"));
             HubClient pubA = HubClient.connect(HubNodes.ws(a), user("pub-a"));
             HubClient pubB = HubClient.connect(HubNodes.ws(b), user("pub-b"))) {
            onA.subscribe(room);
            onB.subscribe(room);
            CompletableFuture<?> fromA = CompletableFuture.runAsync(() -> publishMany(pubA, room, each));
            CompletableFuture<?> fromB = CompletableFuture.runAsync(() -> publishMany(pubB, room, each));
            fromA.join();
            fromB.join();

            List<JsonNode> seenA = onA.messages(room, 2 * each);
            List<JsonNode> seenB = onB.messages(room, 2 * each);
            for (List<JsonNode> seen : List.of(seenA, seenB)) {
                int lastA = -1;
                int lastB = -1;
                for (int i = 0; i < seen.size(); i++) {
                    JsonNode m = seen.get(i);
                    assertEquals(i + 1, m.get("offset").asInt(), "offsets are contiguous and in order");
                    int n = m.get("data").get("n").asInt();
                    if ("pub-a".equals(m.get("publisher").asText())) {
                        assertEquals(lastA + 1, n, "publisher order kept");
                        lastA = n;
                    } else {
                        assertEquals(lastB + 1, n, "publisher order kept");
                        lastB = n;
                    }
                }
                assertEquals(each - 1, lastA);
                assertEquals(each - 1, lastB);
            }
            for (int i = 0; i < seenA.size(); i++) {
                assertEquals(seenA.get(i), seenB.get(i), "both nodes deliver the same sequence");
            }
            assertEquals("pong", onA.request("\"type\":\"ping\"").get("type").asText());
            assertTrue(onA.pending().stream().noneMatch(f -> "message".equals(f.path("type").asText())),
                       "no duplicates after the last offset");
            assertTrue(onB.pending().stream().noneMatch(f -> "message".equals(f.path("type").asText())));
        }
    }

    @Test
    void presenceAndJoinLeaveSpanNodes() {
        String room = "room:pres-" + UUID.randomUUID().toString().substring(0, 8);
        try (HubClient alice = HubClient.connect(HubNodes.ws(a), user("alice"))) {
            alice.subscribe(room);
            try (HubClient bob = HubClient.connect(HubNodes.ws(b), user("bob"))) {
                bob.subscribe(room);
                assertEquals("bob", alice.await(f -> "join".equals(f.path("type").asText())
                        && "bob".equals(f.path("user").asText())).get("user").asText());
                JsonNode presence = HubNodes.json(HubNodes.get(a, "/v1/hub/presence/" + room, user("alice")));
                assertEquals(2, presence.get("connections").asInt());
                assertEquals("alice", presence.get("users").get(0).get("user").asText());
                assertEquals("bob", presence.get("users").get(1).get("user").asText());
            }
            JsonNode leave = alice.await(f -> "leave".equals(f.path("type").asText()));
            assertEquals("bob", leave.get("user").asText());
            JsonNode after = HubNodes.json(HubNodes.get(b, "/v1/hub/presence/" + room, user("bob")));
            assertEquals(1, after.get("connections").asInt());
        }
    }

    @Test
    void shutdownSendsReconnectCodeAndClientRecoversOnAnotherNode() {
        String room = "room:move-" + UUID.randomUUID().toString().substring(0, 8);
        String service = auth.token("svc", List.of("service"), "*");
        RunningService c = HubNodes.start(env);
        String epoch;
        try (HubClient client = HubClient.connect(HubNodes.ws(c), user("mover"))) {
            epoch = client.subscribe(room).get("epoch").asText();
            HubNodes.post(a, "/v1/hub/publish", service, "{\"channel\":\"" + room + "\",\"data\":{\"n\":1}}");
            assertEquals(1, client.messages(room, 1).getFirst().get("offset").asInt());
            c.stop();
            HubClient.Closed closed = client.awaitClose();
            assertEquals(CloseCodes.SERVICE_RESTART, closed.code());
            assertTrue(closed.reason().startsWith("server restarting"), closed.reason());
        }
        HubNodes.post(a, "/v1/hub/publish", service, "{\"channel\":\"" + room + "\",\"data\":{\"n\":2}}");
        HubNodes.post(b, "/v1/hub/publish", service, "{\"channel\":\"" + room + "\",\"data\":{\"n\":3}}");
        try (HubClient client = HubClient.connect(HubNodes.ws(a), user("mover"))) {
            JsonNode ok = client.request("\"type\":\"subscribe\",\"channel\":\"" + room
                                                 + "\",\"since\":{\"offset\":1,\"epoch\":\"" + epoch + "\"}");
            assertTrue(ok.get("recovered").asBoolean(), ok.toString());
            List<JsonNode> missed = client.messages(room, 2);
            assertEquals(List.of(2, 3), missed.stream().map(m -> m.get("data").get("n").asInt()).toList());
        }
    }

    private static void publishMany(HubClient publisher, String room, int count) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int id = publisher.nextId();
            ids.add(id);
            publisher.send("{\"id\":" + id + ",\"type\":\"publish\",\"channel\":\"" + room + "\",\"data\":{\"n\":" + i + "}}");
        }
        for (int id : ids) {
            JsonNode reply = publisher.await(f -> f.path("id").asInt() == id);
            assertEquals("ok", reply.get("type").asText(), reply.toString());
        }
    }
}
