package ai.universal.kit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Json;
import ai.universal.kit.infra.EmbeddedPostgresServer;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readiness follows PostgreSQL: 503 naming the database while it is down, 200 again once it is back. Uses its own
 * PostgreSQL server (stopping the shared one would disturb other tests).
 */
class HealthReadinessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessGoes503WhenPostgresStopsAndBackWhenItReturns() throws Exception {
        Path data = Files.createTempDirectory("pg-health");
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0);
        int pgPort = pg.port();
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", pg.url(), "KIT_TEST_PORT", "0",
                                                       "REDIS_URL", TestInfra.redisUrl(), "REDIS_KEY_PREFIX", "health-test:"));
        TestAuthServer auth = TestAuthServer.start();
        env.putAll(auth.environment());
        RunningService service = ServiceRunner.start(new NotesApp(), ServiceRunner.environment(env, System::getenv));
        try {
            assertEquals(200, health(service).statusCode());
            pg.close();
            HttpResponse<String> down = awaitStatus(service, 503);
            JsonNode body = Json.MAPPER.readTree(down.body());
            assertEquals("DOWN", body.get("status").asText());
            assertEquals("database", body.get("failing").get(0).asText());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/health/live")).build(),
                                        HttpResponse.BodyHandlers.ofString()).statusCode(), "still alive");
            HttpResponse<String> write = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/notes"))
                                                           .header("Content-Type", "application/json")
                                                           .header("Authorization", "Bearer " + auth.token("u", List.of("user"), "*"))
                                                           .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\"}"))
                                                           .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, write.statusCode(), "a store outage is not a server bug: " + write.body());
            assertEquals("dependency_unavailable", Json.MAPPER.readTree(write.body()).get("code").asText());
            assertEquals("5", write.headers().firstValue("Retry-After").orElse(""));
            pg = EmbeddedPostgresServer.start(data, pgPort);
            awaitStatus(service, 200);
        } finally {
            service.stop();
            auth.close();
            pg.close();
        }
    }

    private static HttpResponse<String> health(RunningService service) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/health")).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitStatus(RunningService service, int status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        HttpResponse<String> last = health(service);
        while (last.statusCode() != status && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
            last = health(service);
        }
        assertEquals(status, last.statusCode(), last.body());
        return last;
    }
}
