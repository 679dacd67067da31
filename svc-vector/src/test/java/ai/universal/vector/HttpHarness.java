package ai.universal.vector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;

/** svc-vector on a free port with a test auth server, and a small HTTP client for the tests. */
final class HttpHarness implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final TestAuthServer auth;
    final RunningService service;
    final String base;

    HttpHarness(Path data) {
        auth = TestAuthServer.start();
        Map<String, String> env = new HashMap<>(auth.environment());
        env.put("VECTOR_PORT", "0");
        env.put("VECTOR_DATA_DIR", data.toString());
        env.put("VECTOR_REFRESH_INTERVAL", "20ms");
        env.put("VECTOR_MAX_BATCH", "1000");
        env.put("API_KEY_CACHE_TTL", "0s");
        service = ServiceRunner.start(new VectorApp(), ServiceRunner.environment(env, System::getenv));
        base = service.baseUrl();
    }

    String bearer(String subject, String scope) {
        return "Bearer " + auth.token(subject, List.of("user"), scope);
    }

    HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> download(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> upload(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestData.JSON.readTree(r.body());
    }

    @Override
    public void close() {
        service.stop();
        auth.close();
    }
}
