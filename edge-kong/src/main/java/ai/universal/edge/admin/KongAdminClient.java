package ai.universal.edge.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Talks to a running Kong's admin API in DB-less mode.
 * <ul>
 *     <li>{@code POST /config?check_hash=1&flatten_errors=1} with {@code {"config": "<yaml>"}}: 201 loaded, 304 same hash
 *     (nothing to do), 400 invalid (with {@code flattened_errors}), 429 another load is running ({@code Retry-After})</li>
 *     <li>{@code GET /config}: {@code {"config": "<yaml>"}}, what Kong serves now</li>
 *     <li>{@code GET /status}, {@code GET /status/ready}</li>
 * </ul>
 */
public final class KongAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI adminUrl;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * Create a client.
     *
     * @param adminUrl admin API base URL, e.g. {@code http://127.0.0.1:8001}
     * @param timeout  per-request timeout
     */
    public KongAdminClient(URI adminUrl, Duration timeout) {
        String base = adminUrl.toString();
        this.adminUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Outcome of a push.
     *
     * @param status      final HTTP status
     * @param applied     true when Kong loaded the config (201)
     * @param unchanged   true when Kong already had it (304)
     * @param errors      readable lines for a 400
     * @param attempts    how many POSTs were made (429 retries)
     * @param body        raw response body
     */
    public record PushResult(int status, boolean applied, boolean unchanged, List<String> errors, int attempts,
                             String body) {
    }

    /**
     * Kong's health as {@code /status} and {@code /status/ready} tell it.
     *
     * @param statusCode        status of GET /status
     * @param status            body of GET /status
     * @param readyCode         status of GET /status/ready
     * @param readyMessage      message of /status/ready
     */
    public record Status(int statusCode, JsonNode status, int readyCode, String readyMessage) {
        /**
         * Configuration hash Kong reports (DB-less).
         *
         * @return hash or null
         */
        public String configurationHash() {
            JsonNode h = status == null ? null : status.get("configuration_hash");
            return h == null ? null : h.asText();
        }
    }

    /**
     * Push a declarative config; on 429 waits for {@code Retry-After} seconds (at most {@code maxWaitSeconds} each) and
     * tries again up to {@code maxAttempts} times.
     *
     * @param yaml           rendered config
     * @param maxAttempts    total attempts on 429
     * @param maxWaitSeconds cap on each wait
     * @return outcome
     * @throws IOException          on transport errors
     * @throws InterruptedException when interrupted while waiting
     */
    public PushResult push(String yaml, int maxAttempts, long maxWaitSeconds) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("config", yaml));
        int attempt = 0;
        while (true) {
            attempt++;
            HttpRequest request = HttpRequest.newBuilder(adminUrl.resolve("/config?check_hash=1&flatten_errors=1"))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            int code = response.statusCode();
            switch (code) {
            case 200, 201 -> {
                return new PushResult(code, true, false, List.of(), attempt, response.body());
            }
            case 304 -> {
                return new PushResult(code, false, true, List.of(), attempt, response.body());
            }
            case 400 -> {
                return new PushResult(code, false, false, readableErrors(response.body()), attempt, response.body());
            }
            case 429 -> {
                if (attempt >= maxAttempts) {
                    return new PushResult(code, false, false,
                                          List.of("Kong is still loading a previous configuration (429) after "
                                                          + attempt + " attempts"), attempt, response.body());
                }
                long wait = response.headers().firstValue("Retry-After").map(KongAdminClient::seconds).orElse(1L);
                Thread.sleep(Duration.ofSeconds(Math.max(1, Math.min(wait, maxWaitSeconds))));
            }
            default -> {
                return new PushResult(code, false, false, List.of("unexpected answer " + code + ": " + response.body()),
                                      attempt, response.body());
            }
            }
        }
    }

    /**
     * The config Kong serves now ({@code GET /config}).
     *
     * @return YAML text
     * @throws IOException          on transport errors or a non-200 answer
     * @throws InterruptedException when interrupted
     */
    public String currentConfig() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/config");
        if (response.statusCode() != 200) {
            throw new IOException("GET /config answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode node = JSON.readTree(response.body());
        JsonNode config = node.get("config");
        if (config == null) {
            throw new IOException("GET /config answered without a 'config' field");
        }
        return config.isTextual() ? config.asText() : JSON.writeValueAsString(config);
    }

    /**
     * Kong's status and readiness.
     *
     * @return status
     * @throws IOException          on transport errors
     * @throws InterruptedException when interrupted
     */
    public Status status() throws IOException, InterruptedException {
        HttpResponse<String> status = get("/status");
        HttpResponse<String> ready = get("/status/ready");
        JsonNode statusBody = status.body().isBlank() ? null : JSON.readTree(status.body());
        String message = "";
        if (!ready.body().isBlank()) {
            JsonNode r = JSON.readTree(ready.body());
            message = r.path("message").asText("");
        }
        return new Status(status.statusCode(), statusBody, ready.statusCode(), message);
    }

    /**
     * Flatten Kong's 400 body into one readable line per problem:
     * {@code route 'auth-public' (routes): paths[0]: should start with: / ...}.
     *
     * @param body response body
     * @return lines
     */
    public static List<String> readableErrors(String body) {
        List<String> lines = new ArrayList<>();
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode flattened = node.get("flattened_errors");
            if (flattened != null && flattened.isArray() && !flattened.isEmpty()) {
                for (JsonNode entity : flattened) {
                    String type = entity.path("entity_type").asText("entity");
                    String name = entity.path("entity_name").asText(entity.path("entity_id").asText(""));
                    for (JsonNode err : entity.path("errors")) {
                        String field = err.path("field").asText("");
                        String prefix = type + (name.isEmpty() ? "" : " '" + name + "'");
                        lines.add(prefix + (field.isEmpty() ? "" : " " + field) + ": " + err.path("message").asText());
                    }
                }
            } else if (node.hasNonNull("message")) {
                lines.add(node.get("message").asText());
            }
            if (lines.isEmpty()) {
                lines.add(body);
            }
        } catch (IOException e) {
            lines.add(body);
        }
        return lines;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(adminUrl.resolve(path)).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
