package ai.universal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;

/** A client of svc-memory's HTTP API for tests: one caller (token), JSON in and out. */
final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    /**
     * A response.
     *
     * @param status      status
     * @param body        body text
     * @param contentType content type
     * @param headers     all response headers (names lower-case)
     */
    record Reply(int status, String body, String contentType, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    Reply post(String path, Object body) {
        return send("POST", path, body, "application/json");
    }

    Reply patch(String path, Object body) {
        return send("PATCH", path, body, "application/json");
    }

    Reply delete(String path) {
        return send("DELETE", path, null, null);
    }

    Reply send(String method, String path, Object body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String text = body instanceof String s ? s : new String(Json.bytes(body), StandardCharsets.UTF_8);
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(text));
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Poll until a condition holds, failing after the deadline.
     *
     * @param what      what is awaited (for the failure message)
     * @param deadline  how long to wait
     * @param condition condition
     */
    static void await(String what, Duration deadline, BooleanSupplier condition) {
        Instant end = Instant.now().plus(deadline);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + deadline.toSeconds() + " s waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
