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
}
