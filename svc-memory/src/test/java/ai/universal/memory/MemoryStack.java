package ai.universal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;
import ai.universal.ml.MlApp;
import ai.universal.vector.VectorApp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The real neighbourhood, started once per test JVM and shared by every test class (the ONNX model loads once):
 * PostgreSQL and Redis (svc-kit-infra: real servers named by DATABASE_URL / REDIS_URL, else embedded ones), a test
 * auth server, svc-ml and svc-vector in-process on free ports, and svc-memory calling them over HTTP with a service
 * API key for its relay. Tests keep apart by using fresh user ids.
 */
final class MemoryStack {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static MemoryStack instance;

    final TestInfra.Infra infra;
    final TestAuthServer auth;
    final OffsetClock clock = new OffsetClock();
    final RunningService ml;
    final RunningService memory;
    final String relayKey;
    private final Path vectorDir;
    private final int vectorPort;
    private volatile RunningService vector;

    private MemoryStack() throws IOException {
        infra = TestInfra.fresh();
        auth = TestAuthServer.start();
        relayKey = auth.apiKey("svc-memory", List.of("vectors:read", "vectors:write"));
        Map<String, String> common = new HashMap<>(auth.environment());
        common.put("API_KEY_CACHE_TTL", "60s");
        Map<String, String> mlEnv = new HashMap<>(common);
        mlEnv.put("ML_PORT", "0");
        mlEnv.put("ML_MODELS", "all-minilm-l6-v2");
        mlEnv.put("ML_DEFAULT_MODEL", "all-minilm-l6-v2");
        ml = ServiceRunner.start(new MlApp(), ServiceRunner.environment(mlEnv, System::getenv));
        vectorDir = Files.createTempDirectory("memory-test-vector");
        vector = startVector(0);
        vectorPort = vector.port();

        Map<String, String> env = new HashMap<>(common);
        env.putAll(infra.environment());
        env.put("MEMORY_PORT", "0");
        env.put("ML_SERVICE_URL", ml.baseUrl());
        env.put("VECTOR_DB_URL", "http://127.0.0.1:" + vectorPort);
        env.put("MEMORY_SERVICE_API_KEY", relayKey);
        env.put("MEMORY_RELAY_POLL", "100ms");
        env.put("MEMORY_RELAY_BACKOFF", "100ms");
        env.put("MEMORY_RELAY_MAX_BACKOFF", "400ms");
        env.put("MEMORY_PURGE_INTERVAL", "0s");
        env.put("MEMORY_PURGE_GRACE", "10s");
        env.put("SERVICE_CLIENT_TIMEOUT", "5s");
        env.put("SERVICE_CLIENT_RETRIES", "0");
        memory = ServiceRunner.start(new MemoryApp(), ServiceRunner.environment(env, System::getenv), clock);
        Api.await("svc-ml models loaded", Duration.ofSeconds(60), () -> status(ml.baseUrl() + "/health") == 200);
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown));
    }

    static MemoryStack get() {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new MemoryStack();
            }
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * A new user with a login-like token (scope *).
     *
     * @return API client for that user
     */
    User user() {
        String id = "user-" + UUID.randomUUID();
        return new User(id, new Api(memory.baseUrl(), auth.token(id, List.of("user"), "*")));
    }

    Api admin() {
        return new Api(memory.baseUrl(), auth.token("admin-" + UUID.randomUUID(), List.of("user", "admin"), "*"));
    }

    Api as(String token) {
        return new Api(memory.baseUrl(), token);
    }

    /**
     * svc-vector directly, with the relay's key.
     *
     * @return client
     */
    Api vectorApi() {
        return new Api("http://127.0.0.1:" + vectorPort, relayKey);
    }

    void stopVector() {
        vector.stop();
    }

    void startVectorAgain() {
        vector = startVector(vectorPort);
    }

    /**
     * Wait until the relay has indexed everything written so far.
     */
    void awaitIndexed() {
        Api admin = admin();
        String[] last = {""};
        try {
            Api.await("outbox drained", Duration.ofSeconds(30), () -> {
                JsonNode outbox = admin.get("/v1/memories/admin/outbox").json();
                last[0] = outbox.toString();
                return outbox.path("pending").asLong() == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; outbox: " + last[0], e);
        }
    }

    private RunningService startVector(int port) {
        Map<String, String> env = new HashMap<>(auth.environment());
        env.put("API_KEY_CACHE_TTL", "60s");
        env.put("VECTOR_PORT", Integer.toString(port));
        env.put("VECTOR_DATA_DIR", vectorDir.toString());
        return ServiceRunner.start(new VectorApp(), ServiceRunner.environment(env, System::getenv));
    }

    private static int status(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                                                   HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private void shutdown() {
        memory.stop();
        vector.stop();
        ml.stop();
        auth.close();
        TestInfra.drop(infra);
    }

    /**
     * A test user.
     *
     * @param id  subject
     * @param api client with their token
     */
    record User(String id, Api api) {
    }
}
