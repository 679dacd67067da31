package ai.universal.memory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import ai.universal.kit.data.Redis;

/**
 * Publishes {@code memory.added}, {@code memory.updated}, {@code memory.deleted} on the platform events channel
 * ({@code uat:events}) as {@code {"type", "id", "owner", "scope"}} — never the text — after the change committed.
 * svc-hub delivers them to the owner's channel {@code user:{owner}}. Published off the request thread in commit order;
 * a Redis failure costs the event (logged), never the request.
 */
final class MemoryEvents implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(MemoryEvents.class.getName());

    private final Redis redis;
    private final String channel;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("memory-events")
                                                                                    .factory());

    /**
     * An event.
     *
     * @param type  memory.added, memory.updated or memory.deleted
     * @param id    memory id
     * @param owner owner
     * @param scope scope
     */
    record Event(String type, String id, String owner, String scope) {
        static Event of(String kind, Memory m) {
            return new Event("memory." + kind, m.id(), m.owner(), m.scope());
        }
    }

    MemoryEvents(Redis redis, String channel) {
        this.redis = redis;
        this.channel = channel;
    }

    void publish(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        sender.execute(() -> {
            for (Event e : events) {
                Map<String, String> json = new LinkedHashMap<>();
                json.put("type", e.type());
                json.put("id", e.id());
                json.put("owner", e.owner());
                json.put("scope", e.scope());
                try {
                    redis.client().publish(channel, MemoryStore.json(json));
                } catch (RuntimeException ex) {
                    LOGGER.log(System.Logger.Level.WARNING, "Event " + e.type() + " for " + e.id() + " not published: "
                            + ex.getClass().getSimpleName() + " " + ex.getMessage());
                }
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
    }
}
