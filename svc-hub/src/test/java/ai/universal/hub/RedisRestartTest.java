package ai.universal.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ai.universal.kit.RunningService;
import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis restarts under traffic (its own redis-server, so the shared one is not disturbed): the nodes report
 * not-ready and keep serving their own subscribers, then resume fan-out when Redis is back, and history from before
 * the outage is recoverable (Redis keeps an append-only file here).
 */
class RedisRestartTest {

    @Test
    void nodesServeLocallyWhileRedisIsDownAndResumeWhenItReturns() throws Exception {
        Path dir = Files.createTempDirectory("hub-redis");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redisServer = startRedis(port, dir);
        TestAuthServer auth = TestAuthServer.start();
        Map<String, String> infra = new HashMap<>(Map.of("REDIS_URL", "redis://127.0.0.1:" + port,
                                                         "REDIS_KEY_PREFIX", "restart:"));
        Map<String, String> env = HubNodes.environment(infra, auth, Map.of("HUB_PUBLISH_RATE", "1000",
                                                                            "HUB_PUBLISH_BURST", "1000"));
        RunningService a = HubNodes.start(env);
        RunningService b = HubNodes.start(env);
        String room = "room:restart";
        String service = auth.token("svc", List.of("service"), "*");
        AtomicBoolean traffic = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        CompletableFuture<?> load = null;
        try (HubClient onA = HubClient.connect(HubNodes.ws(a), auth.token("ann", List.of("user"), "*"));
             HubClient onB = HubClient.connect(HubNodes.ws(b), auth.token("ben", List.of("user"), "*"))) {
            String epoch = onA.subscribe(room).get("epoch").asText();
            onB.subscribe(room);
            assertEquals(1, onB.publish(room, "{\"before\":true}").get("offset").asInt());
            assertEquals(1, onA.messages(room, 1).getFirst().get("offset").asInt());
            load = CompletableFuture.runAsync(() -> {
                while (traffic.get()) {
                    int code = HubNodes.post(b, "/v1/hub/publish", service, "{\"channel\":\"" + room
                            + "\",\"data\":{\"load\":" + published.get() + "}}").statusCode();
                    if (code == 200) {
                        published.incrementAndGet();
                    }
                }
            });

            redisServer.destroy();
            redisServer.waitFor();
            HubNodes.awaitTrue(() -> HubNodes.health(a) == 503, "node A not ready");
            JsonNode health = HubNodes.json(HubNodes.get(a, "/health", null));
            assertEquals("DOWN", health.get("status").asText());
            assertTrue(health.get("failing").toString().contains("fanout"), health.toString());

            try (HubClient local = HubClient.connect(HubNodes.ws(a), auth.token("cal", List.of("user"), "*"))) {
                JsonNode ok = local.publish(room, "{\"during\":true}");
                assertTrue(ok.get("local").asBoolean(), ok.toString());
                JsonNode got = onA.await(f -> f.path("data").path("during").asBoolean(false));
                assertFalse(got.has("offset"), "delivered locally, without an offset");
            }
            assertTrue(onB.pending().stream().noneMatch(f -> f.path("data").path("during").asBoolean(false)),
                       "node B did not get node A's local publication");

            redisServer = startRedis(port, dir);
            HubNodes.awaitTrue(() -> HubNodes.health(a) == 200 && HubNodes.health(b) == 200, "nodes ready again");
            int before = published.get();
            HubNodes.awaitTrue(() -> published.get() > before + 5, "traffic flowing again");
            JsonNode after = onB.publish(room, "{\"after\":true}");
            assertEquals(epoch, after.get("epoch").asText(), "history survived the restart");
            long afterOffset = after.get("offset").asLong();
            JsonNode fanned = onA.await(f -> f.path("data").path("after").asBoolean(false));
            assertEquals(afterOffset, fanned.get("offset").asLong());
            traffic.set(false);
            load.join();

            try (HubClient late = HubClient.connect(HubNodes.ws(a), auth.token("dee", List.of("user"), "*"))) {
                JsonNode ok = late.request("\"type\":\"subscribe\",\"channel\":\"" + room
                                                   + "\",\"since\":{\"offset\":1,\"epoch\":\"" + epoch + "\"}");
                assertTrue(ok.get("recovered").asBoolean(), ok.toString());
                List<JsonNode> replay = late.messages(room, ok.get("replayed").asInt());
                assertEquals(2, replay.getFirst().get("offset").asInt());
            }

            long last = 0;
            for (JsonNode m : onA.pending()) {
                if ("message".equals(m.path("type").asText()) && m.has("offset")) {
                    assertTrue(m.get("offset").asLong() > last, "offsets only grow, no duplicates: " + m);
                    last = m.get("offset").asLong();
                }
            }
        } finally {
            traffic.set(false);
            if (load != null) {
                load.join();
            }
            a.stop();
            b.stop();
            auth.close();
            redisServer.destroy();
            redisServer.waitFor();
        }
    }

    private static Process startRedis(int port, Path dir) {
        try {
            Process p = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                                           "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                                           "--dir", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            try (RedisClient client = RedisClient.create("127.0.0.1", port)) {
                HubNodes.awaitTrue(() -> {
                    try {
                        return "PONG".equals(client.ping());
                    } catch (RuntimeException e) {
                        return false;
                    }
                }, "redis-server on " + port);
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
