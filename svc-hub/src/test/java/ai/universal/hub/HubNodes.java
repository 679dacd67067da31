package ai.universal.hub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starting hub nodes and calling their HTTP API in tests.
 */
final class HubNodes {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private HubNodes() {
    }

    static Map<String, String> environment(Map<String, String> infra, TestAuthServer auth, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra);
        env.putAll(auth.environment());
        env.put("HUB_PORT", "0");
        env.put("HUB_SWEEP_INTERVAL", "100ms");
        env.put("HUB_NODE_TTL", "3s");
        env.put("SHUTDOWN_GRACE", "2s");
        env.putAll(extra);
        return env;
    }

    static RunningService start(Map<String, String> env) {
        RunningService node = ServiceRunner.start(new HubApp(), ServiceRunner.environment(env, System::getenv));
        awaitTrue(() -> health(node) == 200, "node ready");
        return node;
    }

    static String ws(RunningService node) {
        return "ws://127.0.0.1:" + node.port() + "/v1/hub/ws";
    }

    static int health(RunningService node) {
        return get(node, "/health", null).statusCode();
    }

    static HttpResponse<String> get(RunningService node, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.GET().build());
    }

    static HttpResponse<String> post(RunningService node, String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static JsonNode json(HttpResponse<String> res) {
        try {
            return Frames.MAPPER.readTree(res.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(res.body(), e);
        }
    }

    /**
     * Poll until true (deadline 15 s).
     *
     * @param check condition
     * @param what  what is awaited
     */
    static void awaitTrue(Supplier<Boolean> check, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!check.get()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
