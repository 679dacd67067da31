package ai.universal.kit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Json;
import ai.universal.kit.infra.RealInfra;
import ai.universal.kit.infra.TestAuthServer;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kit end to end on a real server with real PostgreSQL and Redis: errors, request ids, metrics, auth, tracing.
 */
@ExtendWith(RealInfra.class)
class KitServiceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestAuthServer auth;
    private static RunningService service;
    private static String base;

    @BeforeAll
    static void start(TestInfra.Infra infra) throws IOException {
        auth = TestAuthServer.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(infra.environment());
        env.putAll(auth.environment());
        env.put("KIT_TEST_PORT", Integer.toString(port));
        env.put("NOTES_SELF_URL", "http://127.0.0.1:" + port);
        env.put("API_KEY_CACHE_TTL", "0s");
        service = ServiceRunner.start(new NotesApp(), ServiceRunner.environment(env, System::getenv));
        base = service.baseUrl();
    }

    @AfterAll
    static void stop() {
        service.stop();
        auth.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    private static HttpRequest.Builder postJson(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String userToken() {
        return "Bearer " + auth.token("user-1", List.of("user"), "*");
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(response);
        assertEquals(status, body.get("status").asInt());
        assertEquals(code, body.get("code").asText());
        assertTrue(body.hasNonNull("title"));
        assertTrue(body.hasNonNull("detail"));
        assertTrue(body.get("type").asText().startsWith("https://"));
        assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(), body.get("request_id").asText());
    }

    @Test
    void healthIsReadyWithNamedChecks() throws Exception {
        HttpResponse<String> response = send(get("/health"));
        assertEquals(200, response.statusCode());
        JsonNode body = json(response);
        assertEquals("UP", body.get("status").asText());
        assertEquals("database", body.get("checks").get(0).get("name").asText());
        assertEquals("redis", body.get("checks").get(1).get("name").asText());
        assertEquals(200, send(get("/health/live")).statusCode());
    }

    @Test
    void authenticatedWriteStoresInPostgresAndRedis() throws Exception {
        HttpResponse<String> created = send(postJson("/v1/notes", "{\"text\":\"hello\"}").header("Authorization", userToken()));
        assertEquals(201, created.statusCode(), created.body());
        long id = json(created).get("id").asLong();
        HttpResponse<String> read = send(get("/v1/notes/" + id).header("Authorization", userToken()));
        assertEquals(200, read.statusCode());
        assertEquals("hello", json(read).get("text").asText());
        HttpResponse<String> otherUser = send(get("/v1/notes/" + id)
                                                      .header("Authorization", "Bearer " + auth.token("user-2", List.of("user"), "*")));
        assertProblem(otherUser, 404, "not_found");
    }

    @Test
    void malformedJsonIsBadRequest() throws Exception {
        assertProblem(send(postJson("/v1/notes", "{\"text\": ").header("Authorization", userToken())), 400, "bad_request");
    }

    @Test
    void wrongTypeNamesTheField() throws Exception {
        HttpResponse<String> response = send(postJson("/v1/notes", "{\"text\":\"x\",\"priority\":\"high\"}")
                                                      .header("Authorization", userToken()));
        assertProblem(response, 400, "wrong_type");
        assertEquals("priority", json(response).get("errors").get(0).get("field").asText());
    }

    @Test
    void missingFieldIsUnprocessable() throws Exception {
        HttpResponse<String> response = send(postJson("/v1/notes", "{}").header("Authorization", userToken()));
        assertProblem(response, 422, "validation_failed");
        assertEquals("text", json(response).get("errors").get(0).get("field").asText());
    }

    @Test
    void unknownRouteIsNotFound() throws Exception {
        assertProblem(send(get("/v1/nothing-here")), 404, "not_found");
    }

    @Test
    void wrongMethodIsMethodNotAllowedWithAllow() throws Exception {
        HttpResponse<String> response = send(get("/v1/notes").DELETE());
        assertProblem(response, 405, "method_not_allowed");
        assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void oversizedBodyIsPayloadTooLarge() throws Exception {
        String big = "{\"text\":\"" + "x".repeat(10_000) + "\"}";
        HttpResponse<String> response = send(postJson("/v1/notes", big).header("Authorization", userToken()));
        assertEquals(413, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(413, json(response).get("status").asInt());
        assertTrue(json(response).get("detail").asText().startsWith("Request body is larger than this endpoint accepts"));
    }

    @Test
    void nonJsonBodyIsUnsupportedMediaType() throws Exception {
        HttpResponse<String> response = send(get("/v1/notes").header("Authorization", userToken())
                                                     .header("Content-Type", "text/plain")
                                                     .POST(HttpRequest.BodyPublishers.ofString("text=hello")));
        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void unexpectedFailureHidesDetailsButGivesRequestId() throws Exception {
        HttpResponse<String> response = send(get("/v1/boom").header("X-Request-Id", "req-boom-1"));
        assertProblem(response, 500, "internal_error");
        assertFalse(response.body().contains("secret internal detail"));
        assertFalse(response.body().contains("IllegalStateException"));
        assertTrue(json(response).get("detail").asText().contains("req-boom-1"));
    }

    @Test
    void compatiblePathAnswersInOpenAiShape() throws Exception {
        HttpResponse<String> response = send(postJson("/v1/compat/echo", "{oops"));
        assertEquals(400, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = json(response).get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("message").asText().startsWith("Request body is not valid JSON"));
        assertTrue(error.has("param"));
        assertEquals("bad_request", error.get("code").asText());
    }

    @Test
    void requestIdIsTakenFromKongAndEchoed() throws Exception {
        HttpResponse<String> response = send(get("/health").header("Kong-Request-ID", "kong-abc-123"));
        assertEquals("kong-abc-123", response.headers().firstValue("X-Request-Id").orElse(""));
        assertEquals("kong-abc-123", response.headers().firstValue("Kong-Request-ID").orElse(""));
    }

    @Test
    void forgedRequestIdIsReplaced() throws Exception {
        HttpResponse<String> response = send(get("/health").header("X-Request-Id", "bad id with spaces"));
        String echoed = response.headers().firstValue("X-Request-Id").orElse("");
        assertNotEquals("bad id with spaces", echoed);
        assertEquals(36, echoed.length());
    }

    @Test
    void metricsHavePerRouteHistograms() throws Exception {
        send(get("/health"));
        HttpResponse<String> response = send(get("/metrics").header("Accept", "text/plain"));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("http_server_requests_seconds_bucket"), response.body());
        assertTrue(response.body().contains("route=\"/health\""));
        assertTrue(response.body().contains("service=\"svc-notes\""));
    }

    @Test
    void missingCredentialsAre401WithChallenge() throws Exception {
        HttpResponse<String> response = send(get("/v1/whoami"));
        assertProblem(response, 401, "unauthorized");
        assertEquals("Bearer realm=\"universal-ai-tools\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void invalidTokenIs401InvalidToken() throws Exception {
        HttpResponse<String> response = send(get("/v1/whoami").header("Authorization", "Bearer not.a.jwt"));
        assertProblem(response, 401, "unauthorized");
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
    }

    @Test
    void missingRoleIs403() throws Exception {
        assertProblem(send(get("/v1/notes-admin").header("Authorization", userToken())), 403, "forbidden");
        String admin = "Bearer " + auth.token("boss", List.of("user", "admin"), "*");
        assertEquals(200, send(get("/v1/notes-admin").header("Authorization", admin)).statusCode());
    }

    @Test
    void missingScopeIs403WithInsufficientScope() throws Exception {
        String narrow = "Bearer " + auth.token("user-1", List.of("user"), "vectors:read");
        HttpResponse<String> response = send(get("/v1/notes-scoped").header("Authorization", narrow));
        assertProblem(response, 403, "forbidden");
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_scope"));
        String wide = "Bearer " + auth.token("user-1", List.of("user"), "notes");
        assertEquals(200, send(get("/v1/notes-scoped").header("Authorization", wide)).statusCode());
    }

    @Test
    void apiKeyWorksAsBearerAndAsApiKeyHeaderUntilRevoked() throws Exception {
        String key = auth.apiKey("machine-1", List.of("notes:read"));
        HttpResponse<String> bearer = send(get("/v1/whoami").header("Authorization", "Bearer " + key));
        assertEquals(200, bearer.statusCode(), bearer.body());
        assertEquals("machine-1", json(bearer).get("sub").asText());
        assertEquals("API_KEY", json(bearer).get("kind").asText());
        assertEquals(200, send(get("/v1/whoami").header("api-key", key)).statusCode());
        auth.revoke(key);
        assertProblem(send(get("/v1/whoami").header("api-key", key)), 401, "unauthorized");
    }

    @Test
    void serviceClientPropagatesTraceRequestIdAndCredentials() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String token = userToken();
        HttpResponse<String> response = send(get("/v1/relay")
                                                      .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                                                      .header("X-Request-Id", "relay-1")
                                                      .header("Authorization", token));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode seen = json(response);
        assertTrue(seen.get("traceparent").asText().startsWith("00-" + traceId + "-"), seen.toString());
        assertFalse(seen.get("traceparent").asText().contains("00f067aa0ba902b7"), "the callee sees our span as parent");
        assertEquals("relay-1", seen.get("request_id").asText());
        assertEquals(token, seen.get("authorization").asText());
    }
}
