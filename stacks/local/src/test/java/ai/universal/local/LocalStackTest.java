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
