package ai.universal.memory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** memory.added / updated / deleted arrive on Redis channel uat:events with id, owner and scope — never the text. */
class EventsTest {
    private static MemoryStack stack;

    @BeforeAll
    static void start() {
        stack = MemoryStack.get();
    }

    @Test
    void changesArePublishedWithoutTheirText() throws Exception {
        MemoryStack.User u = stack.user();
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                JsonNode event = MemoryStore.object(message);
                if (u.id().equals(event.path("owner").asText())) {
                    received.add(event);
                }
            }

            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }
        };
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Jedis jedis = new Jedis(URI.create(stack.infra.redisUrl()))) {
                jedis.subscribe(listener, "uat:events");
            }
        });
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        try {
            String id = u.api().post("/v1/memories", Map.of("text", "Secret text never published", "scope", "diary"))
                    .json().path("id").asText();
            u.api().patch("/v1/memories/" + id, Map.of("importance", 0.9));
            u.api().delete("/v1/memories/" + id);
            Api.await("three events", Duration.ofSeconds(10), () -> received.size() >= 3);
            assertEquals(List.of("memory.added", "memory.updated", "memory.deleted"),
                         received.stream().map(e -> e.path("type").asText()).toList());
            for (JsonNode e : received) {
                assertEquals(id, e.path("id").asText());
                assertEquals("diary", e.path("scope").asText());
                assertFalse(e.toString().contains("Secret"), e.toString());
                assertEquals(4, e.size(), e.toString());
            }
        } finally {
            listener.unsubscribe();
            reader.join(Duration.ofSeconds(5));
        }
    }
}
