package ai.universal.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import ai.universal.kit.ServiceRunner;
import ai.universal.kit.http.Json;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-process stack end to end: every service starts, is ready, and the services trust each other the way
 * they do in production — a token from svc-auth (verified over svc-auth's JWKS) and an API key made in svc-auth
 * (verified through its introspection) open svc-vector.
 */
@ExtendWith(RealInfra.class)
class LocalStackTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalStack stack;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws Exception {
        Map<String, String> env = new HashMap<>(infra.environment());
        Path data = Files.createTempDirectory("uat-local");
        env.put("UAT_DATA_DIR", data.toString());
        for (String key : new String[] {"AUTH", "CHAT", "MEMORY", "HUB", "ML", "VISION", "VECTOR", "EDGE", "EDGE_ADMIN"}) {
            env.put(key + "_PORT", "0");
        }
        env.put("ML_BATCH_MAX_WAIT", "2ms");
        // Kong's rate-limit keys carry no prefix: keep this test's counters in their own database, emptied first,
        // so earlier runs against the same Redis cannot have used up the hourly login limit.
        env.put("EDGE_REDIS_DB", "13");
        URI redis = URI.create(infra.redisUrl());
        try (var jedis = new redis.clients.jedis.Jedis(redis.getHost(), redis.getPort())) {
            jedis.select(13);
            for (String key : jedis.keys("ratelimit:*")) {
                jedis.del(key);
            }
        }
        stack = LocalStack.start(ServiceRunner.environment(env, System::getenv));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest json(String url, String method, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    @Test
    void everyServiceIsReady() throws Exception {
        assertTrue(stack.services().size() >= 2, "svc-auth and svc-vector at least");
        for (var service : stack.services()) {
            HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/health")).build());
            assertEquals(200, health.statusCode(), service.name() + ": " + health.body());
        }
    }

    @Test
    void throughTheEdgeRegisterLoginCallRefreshAndHitTheLoginLimit() throws Exception {
        String edge = "http://127.0.0.1:" + stack.edge().port();
        String credentials = "{\"email\":\"edge@example.org\",\"password\":\"amber-Lantern-Voyage-77\"}";
        HttpResponse<String> registered = send(json(edge + "/v1/auth/register", "POST", credentials, null));
        assertEquals(201, registered.statusCode(), registered.body());
        assertTrue(registered.headers().firstValue("Kong-Request-ID").isPresent(), "correlation-id echoed");
        HttpResponse<String> login = send(json(edge + "/v1/auth/login", "POST", credentials, null));
        assertEquals(200, login.statusCode(), login.body());
        JsonNode pair = Json.MAPPER.readTree(login.body());

        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(edge + "/v1/auth/me")).build());
        assertEquals(401, anonymous.statusCode(), "the edge's jwt plugin refuses a request without a token");
        HttpResponse<String> me = send(HttpRequest.newBuilder(URI.create(edge + "/v1/auth/me"))
                                               .header("Authorization", "Bearer " + pair.get("access_token").asText())
                                               .build());
        assertEquals(200, me.statusCode(), me.body());
        assertEquals("edge@example.org", Json.MAPPER.readTree(me.body()).get("email").asText());

        HttpResponse<String> refreshed = send(json(edge + "/v1/auth/refresh", "POST",
                                                   "{\"refresh_token\":\"" + pair.get("refresh_token").asText() + "\"}", null));
        assertEquals(200, refreshed.statusCode(), refreshed.body());

        HttpResponse<String> limited = null;
        for (int i = 0; i < 40 && (limited == null || limited.statusCode() != 429); i++) {
            // a different unknown account each time: svc-auth's own per-account throttle must not answer first
            limited = send(json(edge + "/v1/auth/login", "POST",
                                "{\"email\":\"nobody" + i + "@example.org\",\"password\":\"wrong-password-000\"}", null));
        }
        assertEquals(429, limited.statusCode(), "per-IP login limit at the edge");
        assertEquals("{\"message\":\"API rate limit exceeded\"}", limited.body().replaceAll(",\"request_id\":\"[^\"]*\"", ""));
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void tokensAndApiKeysFromSvcAuthOpenOtherServices() throws Exception {
        String auth = stack.service("svc-auth").baseUrl();
        String vector = stack.service("svc-vector").baseUrl();
        String credentials = "{\"email\":\"stack@example.org\",\"password\":\"violet-Harbor-Engine-42\"}";
        assertEquals(201, send(json(auth + "/v1/auth/register", "POST", credentials, null)).statusCode());
        HttpResponse<String> login = send(json(auth + "/v1/auth/login", "POST", credentials, null));
        assertEquals(200, login.statusCode(), login.body());
        JsonNode pair = Json.MAPPER.readTree(login.body());
        String bearer = "Bearer " + pair.get("access_token").asText();

        HttpResponse<String> me = send(HttpRequest.newBuilder(URI.create(auth + "/v1/auth/me"))
                                               .header("Authorization", bearer).build());
        assertEquals(200, me.statusCode(), me.body());

        HttpResponse<String> created = send(json(vector + "/v1/vectors/collections/e2e", "PUT",
                                                 "{\"dimension\":3,\"distance\":\"cosine\"}", bearer));
        assertTrue(created.statusCode() == 200 || created.statusCode() == 201, created.body());
        assertEquals(401, send(json(vector + "/v1/vectors/collections/e2e2", "PUT",
                                    "{\"dimension\":3,\"distance\":\"cosine\"}", null)).statusCode());

        HttpResponse<String> key = send(json(auth + "/v1/auth/api-keys", "POST", "{\"name\":\"e2e\"}", bearer));
        assertEquals(201, key.statusCode(), key.body());
        String apiKey = Json.MAPPER.readTree(key.body()).get("key").asText();
        HttpResponse<String> viaKey = send(HttpRequest.newBuilder(URI.create(vector + "/v1/vectors/collections/e2e"))
                                                   .header("api-key", apiKey).build());
        assertEquals(200, viaKey.statusCode(), viaKey.body());

        HttpResponse<String> refreshed = send(json(auth + "/v1/auth/refresh", "POST",
                                                   "{\"refresh_token\":\"" + pair.get("refresh_token").asText() + "\"}", null));
        assertEquals(200, refreshed.statusCode(), refreshed.body());
        String newBearer = "Bearer " + Json.MAPPER.readTree(refreshed.body()).get("access_token").asText();
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(vector + "/v1/vectors/collections/e2e"))
                                       .header("Authorization", newBearer).build()).statusCode());
    }
}
