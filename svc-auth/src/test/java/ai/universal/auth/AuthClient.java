package ai.universal.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.http.Json;
import ai.universal.kit.infra.TestInfra;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Starts svc-auth on real PostgreSQL and Redis and talks to it over HTTP, the way clients do. Tests lower the Argon2
 * memory through ARGON2_MEMORY_KIB (the default stays OWASP's) and set TRUST_PROXY so each test can speak from its
 * own client address via X-Forwarded-For.
 */
final class AuthClient implements AutoCloseable {
    static final String STRONG_PASSWORD = "violet-Harbor-Engine-42";

    private final RunningService service;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * A response.
     *
     * @param status  status
     * @param headers headers
     * @param body    body text
     */
    record Answer(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("Not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The body without the per-request id, for comparing two answers. */
        JsonNode jsonWithoutRequestId() {
            JsonNode node = json().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("request_id");
            return node;
        }
    }

    private AuthClient(RunningService service) {
        this.service = service;
    }

    static Map<String, String> testEnvironment(TestInfra.Infra infra, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment());
        env.put("AUTH_PORT", "0");
        env.put("ARGON2_MEMORY_KIB", "1024");
        env.put("TRUST_PROXY", "true");
        env.put("HASH_CONCURRENCY", "2");
        env.putAll(extra);
        return env;
    }

    static AuthClient start(TestInfra.Infra infra, Map<String, String> extra, Clock clock) {
        return new AuthClient(ServiceRunner.start(new AuthApp(),
                                                  ServiceRunner.environment(testEnvironment(infra, extra), System::getenv),
                                                  clock));
    }

    static AuthClient start(TestInfra.Infra infra, Map<String, String> extra) {
        return start(infra, extra, Clock.systemUTC());
    }

    RunningService service() {
        return service;
    }

    Answer post(String path, String json, String... headers) {
        HttpRequest.Builder b = request(path, headers);
        if (json == null) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return send(b.build());
    }

    Answer postRaw(String path, String contentType, String body, String... headers) {
        return send(request(path, headers).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Answer get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    Answer delete(String path, String... headers) {
        return send(request(path, headers).DELETE().build());
    }

    /** Register; the account must be new. */
    String register(String email, String ip) {
        Answer a = post("/v1/auth/register", credentials(email, STRONG_PASSWORD), "X-Forwarded-For", ip);
        if (a.status() != 201) {
            throw new AssertionError("register " + email + " → " + a.status() + " " + a.body());
        }
        return a.json().get("id").asText();
    }

    /** Log in with the standard password; answers the token pair. */
    JsonNode login(String email, String ip) {
        Answer a = post("/v1/auth/login", credentials(email, STRONG_PASSWORD), "X-Forwarded-For", ip);
        if (a.status() != 200) {
            throw new AssertionError("login " + email + " → " + a.status() + " " + a.body());
        }
        return a.json();
    }

    String accessToken(String email, String ip) {
        return login(email, ip).get("access_token").asText();
    }

    static String credentials(String email, String password) {
        return new String(Json.bytes(Map.of("email", email, "password", password)), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String json(Map<String, ?> body) {
        return new String(Json.bytes(body), java.nio.charset.StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        service.stop();
    }
}
