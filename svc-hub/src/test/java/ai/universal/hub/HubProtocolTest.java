package ai.universal.hub;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.RunningService;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket protocol on one node with real Redis: authentication, permissions, replies and messages, errors and
 * limits, presence, history and recovery, token expiry, slow consumers, the HTTP API and platform events.
 */
@ExtendWith(RealInfra.class)
class HubProtocolTest {
    private static TestAuthServer auth;
    private static RunningService node;
    private static String ws;
    private static String events;
    private static String prefix;
    private static RedisClient redis;

    @BeforeAll
    static void start(TestInfra.Infra infra) {
        auth = TestAuthServer.start();
        events = infra.redisPrefix() + "events";
        prefix = infra.redisPrefix();
        node = HubNodes.start(HubNodes.environment(infra.environment(), auth, Map.ofEntries(
                Map.entry("HUB_CONNECT_TIMEOUT", "1s"),
                Map.entry("HUB_MAX_CHANNELS_PER_CONNECTION", "3"),
                Map.entry("HUB_MAX_FRAME_BYTES", "4096"),
                Map.entry("HUB_PUBLISH_RATE", "1"),
                Map.entry("HUB_PUBLISH_BURST", "3"),
                Map.entry("HUB_MAX_CONNECTIONS_PER_USER", "3"),
                Map.entry("HUB_SEND_QUEUE_SIZE", "8"),
                Map.entry("HUB_HISTORY_SIZE", "5"),
                Map.entry("HUB_EVENTS_CHANNEL", events),
                Map.entry("HUB_RESTRICTED_ROOMS", "ops*=admin"),
                Map.entry("HUB_TOKEN_EXPIRY_WARNING", "1s"),
                Map.entry("JWT_CLOCK_SKEW", "0s"))));
        ws = HubNodes.ws(node);
        redis = RedisClient.create(java.net.URI.create(infra.redisUrl()));
    }

    @AfterAll
    static void stop() {
        node.stop();
        auth.close();
        redis.close();
    }

    private static String user(String id) {
        return auth.token(id, List.of("user"), "*");
    }

    private static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void connectionWithoutCredentialsIsClosedWith4001AfterConnectTimeout() {
        try (HubClient c = HubClient.connect(ws, null)) {
            JsonNode early = c.request("\"type\":\"subscribe\",\"channel\":\"room:a\"");
            assertEquals("error", early.get("type").asText());
            assertEquals("not_authenticated", early.get("code").asText());
            HubClient.Closed closed = c.awaitClose();
            assertEquals(CloseCodes.UNAUTHORIZED, closed.code());
            assertTrue(closed.reason().startsWith("authentication required"), closed.reason());
        }
    }

    @Test
    void invalidTokenIsClosedWith4001() {
        String forged = user("mallory").substring(0, user("mallory").lastIndexOf('.')) + ".c2lnbmF0dXJl";
        try (HubClient c = HubClient.connect(ws, forged)) {
            HubClient.Closed closed = c.awaitClose();
            assertEquals(CloseCodes.UNAUTHORIZED, closed.code());
            assertTrue(closed.reason().startsWith("invalid token"), closed.reason());
        }
        try (HubClient c = HubClient.connect(ws, null)) {
            int id = c.nextId();
            c.send("{\"id\":" + id + ",\"type\":\"connect\",\"token\":\"not-a-jwt\"}");
            JsonNode error = c.await(f -> f.path("id").asInt() == id);
            assertEquals("invalid_token", error.get("code").asText());
            assertEquals(CloseCodes.UNAUTHORIZED, c.awaitClose().code());
        }
    }

    @Test
    void connectFrameHeaderAndSubprotocolAllAuthenticate() {
        try (HubClient c = HubClient.connect(ws, null)) {
            JsonNode ok = c.request("\"type\":\"connect\",\"token\":\"" + user("carol") + "\"");
            assertEquals("ok", ok.get("type").asText());
            assertEquals("carol", ok.get("user").asText());
            assertTrue(ok.has("expires_at"));
            JsonNode again = c.request("\"type\":\"connect\",\"token\":\"" + user("carol") + "\"");
            assertEquals("already_authenticated", again.get("code").asText());
        }
        try (HubClient c = HubClient.connect(ws, user("dave"))) {
            JsonNode hello = c.awaitType("connected");
            assertEquals("dave", hello.get("user").asText());
        }
        try (HubClient c = HubClient.connect(ws, Map.of(), List.of(HubSocket.PROTOCOL, "bearer." + user("erin")))) {
            assertEquals(HubSocket.PROTOCOL, c.socket().getSubprotocol());
            assertEquals("erin", c.awaitType("connected").get("user").asText());
        }
    }

    @Test
    void publishedMessageReachesSubscribersWithOffsetEpochAndPublisher() {
        String room = unique("room:chat");
        try (HubClient alice = HubClient.connect(ws, user("alice")); HubClient bob = HubClient.connect(ws, user("bob"))) {
            JsonNode sub = alice.subscribe(room);
            assertEquals(room, sub.get("channel").asText());
            assertEquals(0, sub.get("offset").asLong());
            String epoch = sub.get("epoch").asText();
            assertFalse(epoch.isEmpty());
            bob.subscribe(room);

            JsonNode published = bob.publish(room, "{\"text\":\"hi\"}");
            assertEquals("ok", published.get("type").asText());
            assertEquals(1, published.get("offset").asLong());
            assertEquals(epoch, published.get("epoch").asText());

            for (HubClient c : List.of(alice, bob)) {
                JsonNode m = c.messages(room, 1).getFirst();
                assertEquals(room, m.get("channel").asText());
                assertEquals(1, m.get("offset").asLong());
                assertEquals(epoch, m.get("epoch").asText());
                assertEquals("hi", m.get("data").get("text").asText());
                assertEquals("bob", m.get("publisher").asText());
            }
            JsonNode left = alice.request("\"type\":\"unsubscribe\",\"channel\":\"" + room + "\"");
            assertEquals("ok", left.get("type").asText());
            JsonNode again = alice.request("\"type\":\"unsubscribe\",\"channel\":\"" + room + "\"");
            assertEquals("not_subscribed", again.get("code").asText());
            assertEquals("pong", alice.request("\"type\":\"ping\"").get("type").asText());
        }
    }

    @Test
    void channelPermissionsAreEnforced() {
        try (HubClient alice = HubClient.connect(ws, user("alice"))) {
            alice.subscribe("user:alice");
            assertEquals("forbidden", alice.request("\"type\":\"subscribe\",\"channel\":\"user:bob\"").get("code").asText());
            assertEquals("forbidden", alice.request("\"type\":\"subscribe\",\"channel\":\"room:ops-1\"").get("code").asText());
            alice.subscribe("public:news");
            assertEquals("forbidden", alice.publish("public:news", "{}").get("code").asText());
            assertEquals("forbidden", alice.publish("user:alice", "{}").get("code").asText());
        }
        try (HubClient admin = HubClient.connect(ws, auth.token("root", List.of("admin"), "*"))) {
            admin.subscribe("room:ops-1");
        }
        try (HubClient narrow = HubClient.connect(ws, auth.token("nina", List.of("user"), "memories"))) {
            JsonNode denied = narrow.request("\"type\":\"subscribe\",\"channel\":\"room:x\"");
            assertEquals("forbidden", denied.get("code").asText());
            assertTrue(denied.get("message").asText().contains("hub:read"));
        }
    }

    @Test
    void malformedFramesGetErrorFramesWithCodes() {
        try (HubClient c = HubClient.connect(ws, user("fred"))) {
            c.send("not json");
            assertEquals("bad_frame", c.awaitType("error").get("code").asText());
            JsonNode unknown = c.request("\"type\":\"dance\"");
            assertEquals("unknown_type", unknown.get("code").asText());
            JsonNode badChannel = c.request("\"type\":\"subscribe\",\"channel\":\"lobby\"");
            assertEquals("invalid_channel", badChannel.get("code").asText());
            JsonNode noData = c.request("\"type\":\"publish\",\"channel\":\"room:x\"");
            assertEquals("bad_frame", noData.get("code").asText());
            c.socket().sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), true).join();
            assertEquals("binary_not_supported", c.awaitType("error").get("code").asText());
        }
    }

    @Test
    void limitsAnswerWithExplicitErrors() {
        try (HubClient c = HubClient.connect(ws, user("gina"))) {
            c.subscribe("room:l1");
            c.subscribe("room:l2");
            c.subscribe("room:l3");
            JsonNode tooMany = c.request("\"type\":\"subscribe\",\"channel\":\"room:l4\"");
            assertEquals("too_many_channels", tooMany.get("code").asText());

            c.send("{\"id\":99,\"type\":\"publish\",\"channel\":\"room:l1\",\"data\":\"" + "x".repeat(5000) + "\"}");
            JsonNode big = c.awaitType("error");
            assertEquals("frame_too_large", big.get("code").asText());
            assertEquals("frames are limited to 4096 bytes", big.get("message").asText());

            for (int i = 0; i < 2; i++) {
                assertEquals("ok", c.publish("room:l1", "{\"n\":" + i + "}").get("type").asText());
            }
            JsonNode limited = null;
            for (int i = 0; i < 3 && limited == null; i++) {
                JsonNode r = c.publish("room:l1", "{}");
                if ("error".equals(r.get("type").asText())) {
                    limited = r;
                }
            }
            assertEquals("rate_limited", limited.get("code").asText());
            assertTrue(limited.get("retry_after_ms").asLong() > 0);
        }
    }

    @Test
    void userConnectionLimitClosesTheExtraConnectionWith4029() {
        String token = user("hank");
        try (HubClient a = HubClient.connect(ws, token); HubClient b = HubClient.connect(ws, token);
             HubClient c = HubClient.connect(ws, token)) {
            for (HubClient x : List.of(a, b, c)) {
                x.awaitType("connected");
            }
            try (HubClient d = HubClient.connect(ws, token)) {
                assertEquals(CloseCodes.TOO_MANY_CONNECTIONS, d.awaitClose().code());
            }
        }
    }

    @Test
    void presenceListsUsersAndAnnouncesJoinAndLeave() {
        String room = unique("room:p");
        try (HubClient alice = HubClient.connect(ws, user("alice")); HubClient bob = HubClient.connect(ws, user("bob"));
             HubClient bob2 = HubClient.connect(ws, user("bob"))) {
            alice.subscribe(room);
            alice.await(f -> "join".equals(f.path("type").asText()) && "alice".equals(f.path("user").asText()));
            bob.subscribe(room);
            JsonNode join = alice.await(f -> "join".equals(f.path("type").asText()));
            assertEquals(room, join.get("channel").asText());
            assertEquals("bob", join.get("user").asText());
            bob2.subscribe(room);

            JsonNode presence = alice.request("\"type\":\"presence\",\"channel\":\"" + room + "\"");
            assertEquals("ok", presence.get("type").asText());
            assertEquals(3, presence.get("connections").asInt());
            assertEquals("alice", presence.get("users").get(0).get("user").asText());
            assertEquals(1, presence.get("users").get(0).get("connections").asInt());
            assertEquals("bob", presence.get("users").get(1).get("user").asText());
            assertEquals(2, presence.get("users").get(1).get("connections").asInt());

            JsonNode http = HubNodes.json(HubNodes.get(node, "/v1/hub/presence/" + room, user("alice")));
            assertEquals(presence.get("users"), http.get("users"));

            bob.request("\"type\":\"unsubscribe\",\"channel\":\"" + room + "\"");
            bob2.close();
            JsonNode leave = alice.await(f -> "leave".equals(f.path("type").asText()));
            assertEquals("bob", leave.get("user").asText());
            assertTrue(alice.pending().stream().noneMatch(f -> "leave".equals(f.path("type").asText())),
                       "one leave when the user's last connection goes");
            assertEquals(403, HubNodes.get(node, "/v1/hub/presence/user:alice", user("bob")).statusCode());
        }
    }

    @Test
    void subscribeWithSinceReplaysWhatWasMissedOrSaysRecoveryIsImpossible() {
        String room = unique("room:h");
        String admin = auth.token("svc", List.of("service"), "*");
        String epoch = null;
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> res = HubNodes.post(node, "/v1/hub/publish", admin,
                                                     "{\"channel\":\"" + room + "\",\"data\":{\"n\":" + i + "}}");
            assertEquals(200, res.statusCode(), res.body());
            JsonNode result = HubNodes.json(res).get("results").get(0);
            assertEquals(i, result.get("offset").asInt());
            epoch = result.get("epoch").asText();
        }
        try (HubClient c = HubClient.connect(ws, user("ivan"))) {
            JsonNode ok = c.request("\"type\":\"subscribe\",\"channel\":\"" + room + "\",\"since\":{\"offset\":1,\"epoch\":\""
                                            + epoch + "\"}");
            assertEquals("ok", ok.get("type").asText());
            assertTrue(ok.get("recovered").asBoolean());
            assertEquals(2, ok.get("replayed").asInt());
            assertEquals(3, ok.get("offset").asInt());
            List<JsonNode> replayed = c.messages(room, 2);
            assertEquals(2, replayed.get(0).get("offset").asInt());
            assertEquals(2, replayed.get(0).get("data").get("n").asInt());
            assertEquals(3, replayed.get(1).get("offset").asInt());
        }
        for (int i = 4; i <= 9; i++) {
            HubNodes.post(node, "/v1/hub/publish", admin, "{\"channel\":\"" + room + "\",\"data\":{\"n\":" + i + "}}");
        }
        try (HubClient c = HubClient.connect(ws, user("ivan"))) {
            JsonNode tooOld = c.request("\"type\":\"subscribe\",\"channel\":\"" + room
                                                + "\",\"since\":{\"offset\":1,\"epoch\":\"" + epoch + "\"}");
            assertFalse(tooOld.get("recovered").asBoolean(), "9 - 1 > history size 5");
            assertEquals(9, tooOld.get("offset").asInt());
            assertFalse(tooOld.has("replayed"));
        }
        JsonNode history = HubNodes.json(HubNodes.get(node, "/v1/hub/history/" + room + "?limit=2", user("ivan")));
        assertEquals(epoch, history.get("epoch").asText());
        assertEquals(9, history.get("offset").asInt());
        assertEquals(2, history.get("messages").size());
        assertEquals(8, history.get("messages").get(0).get("offset").asInt());
        assertEquals(9, history.get("messages").get(1).get("data").get("n").asInt());
        assertEquals("svc", history.get("messages").get(1).get("publisher").asText());
        JsonNode since = HubNodes.json(HubNodes.get(node, "/v1/hub/history/" + room + "?since=7&epoch=" + epoch,
                                                    user("ivan")));
        assertTrue(since.get("recovered").asBoolean());
        assertEquals(2, since.get("messages").size());

        redis.del(prefix + "h|" + room + "|epoch");
        try (HubClient c = HubClient.connect(ws, user("ivan"))) {
            JsonNode changed = c.request("\"type\":\"subscribe\",\"channel\":\"" + room
                                                 + "\",\"since\":{\"offset\":9,\"epoch\":\"" + epoch + "\"}");
            assertFalse(changed.get("recovered").asBoolean(), "epoch changed");
            assertFalse(epoch.equals(changed.get("epoch").asText()));
            assertEquals(0, changed.get("offset").asInt());
            HubNodes.post(node, "/v1/hub/publish", admin, "{\"channel\":\"" + room + "\",\"data\":{\"n\":1}}");
            JsonNode m = c.messages(room, 1).getFirst();
            assertEquals(1, m.get("offset").asInt());
            assertEquals(changed.get("epoch").asText(), m.get("epoch").asText());
        }
    }

    @Test
    void expiredTokenClosesLiveConnectionUnlessRefreshed() {
        String shortLived = shortToken("kate", 2);
        try (HubClient refreshing = HubClient.connect(ws, shortLived);
             HubClient idle = HubClient.connect(ws, shortToken("kate", 2))) {
            refreshing.awaitType("connected");
            JsonNode warning = refreshing.awaitType("token_expiring");
            assertTrue(warning.has("expires_at"));
            JsonNode mismatch = refreshing.request("\"type\":\"refresh\",\"token\":\"" + user("other") + "\"");
            assertEquals("subject_mismatch", mismatch.get("code").asText());
            JsonNode refreshed = refreshing.request("\"type\":\"refresh\",\"token\":\"" + user("kate") + "\"");
            assertEquals("ok", refreshed.get("type").asText());
            assertTrue(Instant.parse(refreshed.get("expires_at").asText()).isAfter(Instant.now().plusSeconds(600)));

            HubClient.Closed closed = idle.awaitClose();
            assertEquals(CloseCodes.TOKEN_EXPIRED, closed.code());
            assertEquals("token expired; reconnect with a new token", closed.reason());
            assertEquals("pong", refreshing.request("\"type\":\"ping\"").get("type").asText());
            assertFalse(refreshing.isClosed());
        }
    }

    @Test
    void slowConsumerIsDisconnectedWith4008WithoutHoldingUpOthers() {
        String room = unique("room:slow");
        String admin = auth.token("svc", List.of("service"), "*");
        try (HubClient slow = HubClient.connect(ws, user("sam")); HubClient fast = HubClient.connect(ws, user("tina"))) {
            slow.subscribe(room);
            fast.subscribe(room);
            slow.pause();
            String blob = "\"" + "y".repeat(200_000) + "\"";
            int sent = 0;
            while (sent < 300 && HubNodes.json(HubNodes.get(node, "/v1/hub/presence/" + room, admin))
                    .get("connections").asInt() == 2) {
                assertEquals(200, HubNodes.post(node, "/v1/hub/publish", admin,
                                                "{\"channel\":\"" + room + "\",\"data\":" + blob + "}").statusCode());
                sent++;
                fast.messages(room, 1);
            }
            HubNodes.awaitTrue(() -> HubNodes.json(HubNodes.get(node, "/v1/hub/presence/" + room, admin))
                    .get("connections").asInt() == 1, "slow consumer removed");
            slow.resume();
            HubClient.Closed closed = slow.awaitClose();
            assertEquals(CloseCodes.SLOW_CONSUMER, closed.code());
            assertTrue(closed.reason().startsWith("slow consumer"), closed.reason());
            assertEquals("ok", fast.request("\"type\":\"presence\",\"channel\":\"" + room + "\"").get("type").asText());
        }
    }

    @Test
    void httpPublishNeedsAdminOrServiceRoleAndBroadcastsToManyChannels() {
        String body = "{\"channels\":[\"user:uma\",\"user:vic\"],\"data\":{\"notice\":\"maintenance\"}}";
        assertEquals(401, HubNodes.post(node, "/v1/hub/publish", null, body).statusCode());
        HttpResponse<String> denied = HubNodes.post(node, "/v1/hub/publish", user("uma"), body);
        assertEquals(403, denied.statusCode());
        assertEquals("forbidden", HubNodes.json(denied).get("code").asText());
        String admin = auth.token("root", List.of("admin"), "*");
        HttpResponse<String> invalid = HubNodes.post(node, "/v1/hub/publish", admin,
                                                     "{\"channels\":[\"user:uma\",\"nowhere\"],\"data\":{}}");
        assertEquals(422, invalid.statusCode());
        assertEquals("channels[1]", HubNodes.json(invalid).get("errors").get(0).get("field").asText());
        assertEquals(422, HubNodes.post(node, "/v1/hub/publish", admin, "{\"channel\":\"room:x\"}").statusCode());
        assertEquals(400, HubNodes.post(node, "/v1/hub/publish", admin, "{nope").statusCode());
        assertEquals(422, HubNodes.get(node, "/v1/hub/history/room:x?limit=0", admin).statusCode());

        try (HubClient uma = HubClient.connect(ws, user("uma")); HubClient vic = HubClient.connect(ws, user("vic"))) {
            uma.subscribe("user:uma");
            vic.subscribe("user:vic");
            HttpResponse<String> ok = HubNodes.post(node, "/v1/hub/publish", admin, body);
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode results = HubNodes.json(ok).get("results");
            assertEquals("user:uma", results.get(0).get("channel").asText());
            assertEquals("user:vic", results.get(1).get("channel").asText());
            assertTrue(results.get(0).get("offset").asInt() >= 1);
            JsonNode m = uma.messages("user:uma", 1).getFirst();
            assertEquals("maintenance", m.get("data").get("notice").asText());
            assertEquals("root", m.get("publisher").asText());
            assertEquals("maintenance", vic.messages("user:vic", 1).getFirst().get("data").get("notice").asText());
        }
    }

    @Test
    void platformEventFromRedisReachesTheOwnersChannel() {
        try (HubClient ivy = HubClient.connect(ws, user("ivy"))) {
            ivy.subscribe("user:ivy");
            redis.publish(events, "{\"type\":\"memory.added\",\"owner\":\"ivy\",\"id\":\"m-1\",\"scope\":\"personal\"}");
            JsonNode m = ivy.messages("user:ivy", 1).getFirst();
            assertEquals("platform", m.get("publisher").asText());
            assertEquals("memory.added", m.get("data").get("type").asText());
            assertEquals("m-1", m.get("data").get("id").asText());
            assertTrue(m.get("offset").asInt() >= 1);
        }
    }

    private static String shortToken(String subject, int seconds) {
        Instant now = Instant.now();
        return auth.sign(new JWTClaimsSet.Builder()
                                 .issuer(TestAuthServer.ISSUER)
                                 .subject(subject)
                                 .issueTime(Date.from(now))
                                 .expirationTime(Date.from(now.plusSeconds(seconds)))
                                 .jwtID(UUID.randomUUID().toString())
                                 .claim("roles", List.of("user"))
                                 .claim("scope", "*")
                                 .build());
    }
}
