package ai.universal.edge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Small HTTP helpers for tests (JDK client, HTTP/1.1, keep-alive).
 */
public final class Http {
    /** Shared client. */
    public static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /**
     * Send a request.
     *
     * @param method  method
     * @param url     URL
     * @param headers headers
     * @param body    body or null
     * @return response
     */
    public static HttpResponse<String> send(String method, String url, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * GET.
     *
     * @param url     URL
     * @param headers headers
     * @return response
     */
    public static HttpResponse<String> get(String url, Map<String, String> headers) {
        return send("GET", url, headers, null);
    }

    /**
     * GET without headers.
     *
     * @param url URL
     * @return response
     */
    public static HttpResponse<String> get(String url) {
        return get(url, Map.of());
    }

    /**
     * Wait until a condition holds, checking every 20 ms, failing after the deadline.
     *
     * @param what      description for the failure
     * @param timeout   deadline
     * @param condition condition
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /**
     * Wait until a condition holds, with a description of the state for the failure message.
     *
     * @param what      description
     * @param timeout   deadline
     * @param condition condition
     * @param state     state at failure
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition,
                             java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what + " " + state.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }
}
