package ai.universal.memory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;

import io.helidon.webserver.http.HttpRules;

/**
 * svc-memory (port 8017, key {@code memory}): long-term memories per user in PostgreSQL (schema {@code memory}), their
 * vectors in svc-vector through a transactional outbox, embeddings from svc-ml, events on Redis. Endpoints:
 * {@link MemoryService}.
 */
public final class MemoryApp implements ServiceApp {
    private static final System.Logger LOGGER = System.getLogger(MemoryApp.class.getName());

    @Override
    public String name() {
        return "svc-memory";
    }

    @Override
    public String key() {
        return "memory";
    }

    @Override
    public int defaultPort() {
        return 8017;
    }

    @Override
    public boolean usesDatabase() {
        return true;
    }

    @Override
    public boolean usesRedis() {
        return true;
    }

    @Override
    public long maxPayloadBytes() {
        // An import of MEMORY_MAX_IMPORT memories travels in one body.
        return 64L << 20;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        MemorySettings settings = MemorySettings.from(ctx.settings());
        Duration timeout = ctx.settings().duration("SERVICE_CLIENT_TIMEOUT", null, Duration.ofSeconds(10));
        String mlUrl = ctx.settings().string("ML_SERVICE_URL", null, "http://127.0.0.1:8010");
        String vectorUrl = ctx.settings().string("VECTOR_DB_URL", null, "http://127.0.0.1:3034");
        Upstream ml = new Upstream("svc-ml", mlUrl, ctx.client("ML_SERVICE_URL", "http://127.0.0.1:8010"), timeout,
                                   settings.serviceApiKey());
        Upstream vector = new Upstream("svc-vector", vectorUrl, ctx.client("VECTOR_DB_URL", "http://127.0.0.1:3034"), timeout,
                                       settings.serviceApiKey());
        if (settings.serviceApiKey() == null) {
            LOGGER.log(System.Logger.Level.WARNING, "MEMORY_SERVICE_API_KEY is not set: the index relay calls svc-ml and "
                    + "svc-vector without credentials and waits (nothing is lost) until a key is configured");
        }
        MemoryStore store = new MemoryStore(ctx.database().dataSource());
        EmbeddingClient embeddings = new EmbeddingClient(ml, settings.embeddingModel(), settings.dimension());
        VectorIndex index = new VectorIndex(vector, settings.collection(), settings.dimension());
        IndexRelay relay = new IndexRelay(store, embeddings, index, settings, ctx.clock());
        MemoryEvents events = new MemoryEvents(ctx.redis(), settings.eventsChannel());
        Memories memories = new Memories(store, embeddings, index, relay, events, settings, ctx.clock());

        ctx.onClose(events);
        relay.start();
        ctx.onClose(relay);
        if (!settings.purgeInterval().isZero()) {
            ScheduledExecutorService purge = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofVirtual().name("memory-purge").factory());
            long every = settings.purgeInterval().toMillis();
            purge.scheduleWithFixedDelay(() -> {
                try {
                    memories.purge();
                } catch (RuntimeException e) {
                    LOGGER.log(System.Logger.Level.WARNING, "Purge of expired memories failed: " + e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS);
            ctx.onClose(purge::shutdownNow);
        }
        rules.register(new MemoryService(memories, settings, ctx.access()));
    }
}
