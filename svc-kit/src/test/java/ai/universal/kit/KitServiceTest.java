package ai.universal.kit;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.universal.kit.http.BodyLimit;
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
    void oversizedBodyIsReadToItsEndSoTheClientGetsThe413AndKeepsItsConnection() throws Exception {
        // 3 MB is more than the socket buffers hold: a server that answered and closed while the body was still
        // arriving would reset the connection under this write, and the client would never see its 413
        byte[] body = ("{\"text\":\"" + "x".repeat(3_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", service.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(("POST /v1/notes HTTP/1.1\r\nHost: test\r\nAuthorization: " + userToken()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            RawResponse tooLarge = RawResponse.read(in);
            assertEquals(413, tooLarge.status());
            assertEquals("application/problem+json", tooLarge.headers().get("content-type"));
            assertEquals("request_entity_too_large", Json.MAPPER.readTree(tooLarge.body()).get("code").asText());
            // the same connection serves the next request: the body was discarded, not left to reset it
            out.write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(200, RawResponse.read(in).status());
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndUnderItIsServed() throws Exception {
        byte[] big = ("{\"text\":\"" + "x".repeat(10_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> tooLarge = send(chunked("/v1/notes", big).header("Authorization", userToken()));
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertEquals(BodyLimit.DETAIL, json(tooLarge).get("detail").asText());

        byte[] small = "{\"text\":\"sent in chunks\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> created = send(chunked("/v1/notes", small).header("Authorization", userToken()));
        assertEquals(201, created.statusCode(), created.body());
    }

    @Test
    void oversizedBodyKeepsTheOpenAiShapeOnCompatibleRoutes() throws Exception {
        HttpResponse<String> response = send(postJson("/v1/compat/echo", "{\"x\":\"" + "y".repeat(5_000) + "\"}"));
        assertEquals(413, response.statusCode());
        assertEquals("request_entity_too_large", json(response).get("error").get("code").asText());
    }

    private static HttpRequest.Builder chunked(String path, byte[] body) {
        // an InputStream publisher has no length, so the client sends Transfer-Encoding: chunked
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    }

    /** One HTTP/1.1 response read off a raw socket (Content-Length bodies only, which is what the kit sends here). */
    private record RawResponse(int status, Map<String, String> headers, byte[] body) {
        static RawResponse read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new RawResponse(status, headers, body);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-response after: " + line);
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
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
