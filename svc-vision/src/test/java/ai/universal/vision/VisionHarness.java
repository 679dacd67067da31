package ai.universal.vision;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import ai.universal.kit.RunningService;
import ai.universal.kit.ServiceRunner;
import ai.universal.kit.infra.TestAuthServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** svc-vision started in-process on a free port with a test auth server, and a small HTTP client for it. */
final class VisionHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static VisionHarness shared;

    private final TestAuthServer auth;
    private final RunningService service;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String token;

    private VisionHarness(Map<String, String> settings, Consumer<String> jobStart) {
        auth = TestAuthServer.start();
        Map<String, String> env = new HashMap<>(auth.environment());
        env.put("VISION_PORT", "0");
        env.put("VISION_BACKEND", "auto");
        env.putAll(settings);
        service = ServiceRunner.start(new VisionApp(jobStart), ServiceRunner.environment(env, System::getenv));
        token = auth.token("user-1", List.of("user"), "*");
    }

    /** A service with its own settings and job hook; the caller closes it. */
    static VisionHarness start(Map<String, String> settings, Consumer<String> jobStart) {
        return new VisionHarness(settings, jobStart);
    }

    /** The service most HTTP tests share: 4 MP source limit, 8 MiB bodies, 2 workers. */
    static synchronized VisionHarness shared() {
        if (shared == null) {
            shared = new VisionHarness(Map.of("VISION_MAX_PIXELS", "4000000", "VISION_MAX_BODY_BYTES", "8388608",
                                              "VISION_WORKERS", "2", "VISION_QUEUE", "8"), kind -> {
            });
        }
        return shared;
    }

    record Reply(int status, HttpHeaders headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text(), e);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).GET());
    }

    Reply raw(String path, String contentType, byte[] body) {
        return send(rawRequest(path, contentType, body));
    }

    HttpRequest.Builder rawRequest(String path, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return b;
    }

    CompletableFuture<Reply> rawAsync(String path, String contentType, byte[] body) {
        return client.sendAsync(rawRequest(path, contentType, body).build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Reply(r.statusCode(), r.headers(), r.body()));
    }

    Reply postEmpty(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.noBody()));
    }

    Reply json(String path, String json) {
        return raw(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Reply noAuth(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** A multipart part: name, file name (null for a text field), content type (may be null), bytes. */
    record Part(String name, String filename, String type, byte[] data) {
        static Part text(String name, String value) {
            return new Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
        }

        static Part file(String name, String filename, String type, byte[] data) {
            return new Part(name, filename, type, data);
        }
    }

    Reply multipart(String path, Part... parts) {
        String boundary = "----vision-test-boundary-7MA4YWxkTrZu0gW";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part p : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
                    + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"") + "\r\n"
                    + (p.type() == null ? "" : "Content-Type: " + p.type() + "\r\n") + "\r\n")
                                   .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(p.data());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return raw(path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<byte[]> r = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI uri(String path) {
        return URI.create(service.baseUrl() + path);
    }

    static String query(String json) {
        return java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        service.stop();
        auth.close();
    }
}
