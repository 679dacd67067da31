package ai.universal.vector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import ai.universal.kit.ServiceApp;
import ai.universal.kit.ServiceContext;
import ai.universal.kit.Settings;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.ErrorStyle;
import ai.universal.kit.observe.Health;

import io.helidon.webserver.http.HttpRules;

/**
 * svc-vector on svc-kit: port 3034, native API under {@code /v1/vectors}, Qdrant-compatible API under
 * {@code /v1/vectors/qdrant} (Qdrant's error shape there).
 * <p>
 * Settings: {@code VECTOR_DATA_DIR} / {@code vector.data-dir} (data/vector), {@code VECTOR_REFRESH_INTERVAL} /
 * {@code vector.refresh-interval} (100ms), {@code VECTOR_MAX_BATCH} / {@code vector.max-batch} (10000).
 */
public final class VectorApp implements ServiceApp {

    /** Public prefix of the Qdrant-compatible API. */
    public static final String QDRANT_PREFIX = "/v1/vectors/qdrant";

    @Override
    public String name() {
        return "svc-vector";
    }

    @Override
    public String key() {
        return "vector";
    }

    @Override
    public int defaultPort() {
        return 3034;
    }

    @Override
    public Map<String, ErrorStyle> errorStyles() {
        return Map.of(QDRANT_PREFIX, ErrorStyle.QDRANT);
    }

    @Override
    public String urlVariable() {
        return "VECTOR_DB_URL";
    }

    @Override
    public long maxPayloadBytes() {
        return 64L << 20;
    }

    @Override
    public void setUp(ServiceContext ctx, HttpRules rules) {
        Settings s = ctx.settings();
        Path dataDir = s.dataDir("VECTOR_DATA_DIR", "vector.data-dir", "vector");
        Duration refresh = s.duration("VECTOR_REFRESH_INTERVAL", "vector.refresh-interval", Duration.ofMillis(100));
        int maxBatch = s.integer("VECTOR_MAX_BATCH", "vector.max-batch", 10_000);
        VectorStore store;
        try {
            store = VectorStore.open(dataDir, refresh, maxBatch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open vector data folder " + dataDir, e);
        }
        ctx.onClose(store);
        ctx.health().add("index", () -> store.isOpen() ? Health.Result.ok() : Health.Result.down("vector store closed"));
        Access access = ctx.access();
        rules.register(new QdrantApi(store, access));
        rules.register(new VectorService(store, access));
    }
}
